// PicoHTTP
