// PicoChannels
