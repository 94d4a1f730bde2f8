fn main() {
    std::process::exit(redis_lint::cli::run(std::env::args_os()));
}
