namespace tb::app {
int run_cli(int argc, char** argv);
}

int main(int argc, char** argv) { return tb::app::run_cli(argc, argv); }
