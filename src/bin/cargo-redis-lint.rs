//! `cargo redis-lint`: cargo runs this binary with `redis-lint` as its first
//! argument; drop it and run the linter.

// The same allocator as `redis-lint` (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "redis-lint") {
        args.remove(1);
    }
    std::process::exit(redis_lint::cli::run(args));
}
