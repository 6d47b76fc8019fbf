// Replaced by the application's entry point.
int main() { return 0; }
