// `embed_migrations!` reads migrations/ at compile time; without this, adding a migration
// leaves an incremental build with the old list (it happened, issue 7).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
