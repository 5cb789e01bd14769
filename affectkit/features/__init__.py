"""Feature extractors: raw media and text to the features the papers use."""
