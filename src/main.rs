fn main() -> std::process::ExitCode {
    rallypost::cli::run()
}
