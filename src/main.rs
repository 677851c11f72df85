fn main() {
    std::process::exit(jobloop::cli::main());
}
