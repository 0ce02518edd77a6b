// PicoAgent
