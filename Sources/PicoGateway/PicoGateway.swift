// PicoGateway
