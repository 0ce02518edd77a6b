int pico_policy_placeholder(void);
