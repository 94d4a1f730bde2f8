// Parsing allocates and frees millions of small syntax nodes; mimalloc's
// thread-local free lists make that markedly cheaper than glibc malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(redis_lint::cli::run(std::env::args_os()));
}
