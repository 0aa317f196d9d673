"""The names of the experiment arms (see game.experiment), in a module that imports
nothing, so the command line can offer them without loading the model."""

VARIANTS = ("free_trade", "no_control", "unilateral", "coordinated")
BASELINE = "no_control"  # what target_access and the other compare metrics are against
ALIASES = {"none": "no_control"}  # the earlier name of no_control
