use clap::{Parser, Subcommand};
use kaset::app::Application;
use kaset::config::Settings;
use kaset::db;
use tracing_subscriber::EnvFilter;

/// Kaset: Thai farmers' government services.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the geography and the demo data set into an empty database.
    SeedDemo,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.settings),
        Command::Migrate => {
            db::connect(&cli.settings.database_url, 1)?;
            println!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            let pool = db::connect(&cli.settings.database_url, 1)?;
            let mut conn = pool.get()?;
            match db::seed::seed_demo_if_empty(&mut conn)? {
                Some(report) => println!("seeded {} households", report.households),
                None => println!("the database already holds data; nothing seeded"),
            }
            Ok(())
        }
    }
}

#[actix_web::main]
async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    println!("Kaset is running at {}", app.public_url());
    println!("Demo logins (password {}):", db::seed::DEMO_PASSWORD);
    println!(
        "  farmer   national ID {}",
        db::seed::DEMO_FARMER_NATIONAL_ID
    );
    println!("  officer  {}", db::seed::DEMO_OFFICER_EMAIL);
    println!("  manager  {}", db::seed::DEMO_MANAGER_EMAIL);
    println!("  admin    {}", db::seed::DEMO_ADMIN_EMAIL);
    app.run().await?;
    Ok(())
}
