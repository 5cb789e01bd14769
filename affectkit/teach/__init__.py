"""The notebooks' support: what a notebook uses to record, read, judge and show its results.

Nothing in the science (the packages and modules beside this one) imports from here.

    from affectkit.teach import lessons, plots, readings
    lessons.show(stem, profile=profile)   # a notebook's "What you learned" table
"""
