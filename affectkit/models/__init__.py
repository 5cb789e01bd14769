"""Models: the CMDM auto-encoders and classifier; EASUM (MAG, DG and DS models)."""
