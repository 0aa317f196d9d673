"""The browser view: watch a run round by round, served offline by Solara.

`app.Page` is the Solara page; `server.serve` starts it on a local port with
every asset served by the app itself. The drawing modules (`network`,
`charts`, `eventlog`, `compare_view`) are plain functions from a model to
SVG or text, so they can be tested and reused without a browser. They all
take their colours from `palette`, so a state has one colour everywhere.
"""
