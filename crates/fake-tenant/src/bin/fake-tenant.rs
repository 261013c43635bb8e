fn main() {
    fake_tenant::cli::main();
}
