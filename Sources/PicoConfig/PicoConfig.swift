// PicoConfig
