/* Loads only if its undefined symbol can be resolved, which it never can: dlopen(RTLD_NOW) fails
 * inside the target and the injector must report dlerror()'s reason. */
extern int gcscope_symbol_that_does_not_exist(void);

__attribute__((visibility("default"))) int probe_start(const char* arg)
{
    (void)arg;
    return gcscope_symbol_that_does_not_exist();
}
