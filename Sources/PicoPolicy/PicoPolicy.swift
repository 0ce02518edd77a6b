// PicoPolicy
