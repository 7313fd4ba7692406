use clap::{Parser, Subcommand};
use kaset::app::Application;
use kaset::config::Settings;
use kaset::db;
use kaset::domain::Clock;
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
    /// Re-decide every household's entitlements with the current rules, store what changed and
    /// queue notices for the newly eligible (their e-mail leaves through the server's outbox).
    Evaluate {
        /// Every household (the only mode for now).
        #[arg(long)]
        all: bool,
    },
    /// Add N synthetic households (for benchmarks) to a database holding the geography.
    SeedSynthetic {
        #[arg(long)]
        households: usize,
        /// Random seed, so a data set can be made again.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Work with the farmer registry.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// Declare a disaster zone, as the administrator's page does: every household living or
    /// farming there is decided again and has its relief claim drafted.
    DeclareDisaster {
        /// flood, drought, storm, pest, cold or fire.
        #[arg(long)]
        hazard: String,
        /// The day it began (YYYY-MM-DD).
        #[arg(long)]
        started_on: chrono::NaiveDate,
        /// The last day damage reports are accepted (YYYY-MM-DD).
        #[arg(long)]
        claims_close_on: chrono::NaiveDate,
        /// 6-digit tambon or 4-digit amphoe codes, separated by commas.
        #[arg(long)]
        areas: String,
        #[arg(long)]
        description: String,
    },
    /// Work with the programme rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Pull household changes from the external registry (KASET_REGISTRY_SYNC_URL) until
    /// there are none left, re-deciding the changed households' entitlements.
    Sync,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Load and type-check every rule file and run their test cases.
    Check,
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
        Command::Rules {
            command: RulesCommand::Check,
        } => check_rules(&cli.settings),
        Command::Registry {
            command: RegistryCommand::Sync,
        } => sync_registry(cli.settings),
        Command::Evaluate { all } => {
            anyhow::ensure!(
                all,
                "say `kaset evaluate --all` to re-evaluate every household"
            );
            evaluate_all(&cli.settings)
        }
        Command::SeedSynthetic { households, seed } => {
            let pool = db::connect(&cli.settings.database_url, 1)?;
            let mut conn = pool.get()?;
            if !db::geography::is_loaded(&mut conn)? {
                db::geography::load(&mut conn)?;
            }
            let started = std::time::Instant::now();
            let rows =
                db::seed::synthetic::seed_synthetic(&mut conn, households, seed, &Clock::system())?;
            println!(
                "added {households} households ({rows} rows) in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::DeclareDisaster {
            hazard,
            started_on,
            claims_close_on,
            areas,
            description,
        } => declare_disaster(
            &cli.settings,
            &hazard,
            started_on,
            claims_close_on,
            &areas,
            &description,
        ),
        Command::SeedDemo => {
            let pool = db::connect(&cli.settings.database_url, 1)?;
            let mut conn = pool.get()?;
            match db::seed::seed_demo_if_empty(&mut conn, true, &Clock::system())? {
                Some(report) => println!("seeded {} households", report.households),
                None => println!("the database already holds data; nothing seeded"),
            }
            Ok(())
        }
    }
}

fn declare_disaster(
    settings: &Settings,
    hazard: &str,
    started_on: chrono::NaiveDate,
    claims_close_on: chrono::NaiveDate,
    areas: &str,
    description: &str,
) -> anyhow::Result<()> {
    let hazard = kaset::domain::Hazard::parse(hazard)
        .map_err(|_| anyhow::anyhow!("`{hazard}` is not a hazard"))?;
    let rules = kaset::app::load_rules(&settings.rules_dir)?;
    let pool = db::connect(&settings.database_url, 1)?;
    let mut conn = pool.get()?;
    let tambons = db::geography::expand_areas(&mut conn, areas)?
        .filter(|tambons| !tambons.is_empty())
        .ok_or_else(|| anyhow::anyhow!("`{areas}` names no tambon or amphoe"))?;
    let notify = kaset::services::entitlements::Notify {
        enabled: true,
        public_url: settings.public_url_for(&settings.bind),
    };
    let declaration = db::disasters::NewDisaster {
        hazard: hazard.code(),
        started_on,
        ended_on: None,
        claims_close_on,
        description,
        declared_by: None,
        tambons: &tambons,
    };
    let started = std::time::Instant::now();
    let now = Clock::system().now();
    let declared =
        kaset::services::disasters::declare(&mut conn, &rules, &notify, &declaration, now)?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} households in {} tambons decided again in {seconds:.1} s ({:.0} households/s): {} newly eligible, {} relief claims drafted",
        declared.households,
        tambons.len(),
        declared.households as f64 / seconds.max(0.001),
        declared.changes.newly_eligible,
        declared.claims_drafted
    );
    Ok(())
}

fn evaluate_all(settings: &Settings) -> anyhow::Result<()> {
    let rules = kaset::app::load_rules(&settings.rules_dir)?;
    // One connection per core for the workers, one for reading the pages of ids.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let pool = db::connect(&settings.database_url, cores + 1)?;
    let public_url = settings.public_url_for(&settings.bind);
    let started = std::time::Instant::now();
    let now = Clock::system().now();
    let changes =
        kaset::services::entitlements::evaluate_everyone(&pool, &rules, now, &public_url)?;
    println!(
        "{} households in {:.1} s: {} decisions changed, {} newly eligible",
        changes.households,
        started.elapsed().as_secs_f64(),
        changes.decisions_changed,
        changes.newly_eligible
    );
    Ok(())
}

#[actix_web::main]
async fn sync_registry(settings: Settings) -> anyhow::Result<()> {
    use kaset::jobs::registry_sync::{sync, SyncContext};
    let rules = std::sync::Arc::new(kaset::app::load_rules(&settings.rules_dir)?);
    let pool = db::connect(&settings.database_url, 2)?;
    let cx = SyncContext {
        pool,
        rules,
        notify: kaset::services::entitlements::Notify {
            enabled: true,
            public_url: settings.public_url_for(&settings.bind),
        },
        clock: Clock::system(),
    };
    let started = std::time::Instant::now();
    let report = sync(&cx, &settings.registry_sync).await?;
    println!(
        "{} pages, {} households stored, {} refused (see the officers' review list), {} newly eligible, in {:.1} s",
        report.pages,
        report.households,
        report.refused,
        report.newly_eligible,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn check_rules(settings: &Settings) -> anyhow::Result<()> {
    let rules = kaset::app::load_rules(&settings.rules_dir)?;
    let cases: usize = rules.programmes.iter().map(|p| p.tests.len()).sum();
    let failures = rules.run_test_cases();
    for failure in &failures {
        eprintln!("{failure}");
    }
    anyhow::ensure!(
        failures.is_empty(),
        "{} of {cases} rule test cases failed",
        failures.len()
    );
    println!(
        "{} programmes loaded and type-checked; {cases} test cases passed",
        rules.programmes.len()
    );
    Ok(())
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
    println!(
        "  officer  {} (same area, for appeals)",
        db::seed::DEMO_OFFICER_SURIN_2_EMAIL
    );
    println!("  manager  {}", db::seed::DEMO_MANAGER_EMAIL);
    println!("  admin    {}", db::seed::DEMO_ADMIN_EMAIL);
    app.run().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every setting has its own name on the command line (two settings under one name would
    /// stop the server at start, or in a release build read one for the other).
    #[test]
    fn the_command_line_and_its_settings_are_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
