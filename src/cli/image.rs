//! `kyso image prepare`: turn a photo or scan of a signature or seal into a
//! transparent PNG in the right ink (core: `kyso::stamp::image`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use kyso::stamp::image::{prepare, Ink};
use kyso::Lang;

/// Arguments of `kyso image`.
#[derive(Args, Debug)]
pub struct ImageArgs {
    #[command(subcommand)]
    command: ImageCommand,
}

/// Subcommands of `kyso image`.
#[derive(Subcommand, Debug)]
enum ImageCommand {
    /// Tách chữ ký/con dấu khỏi nền giấy thành PNG trong suốt / make a transparent PNG from a photo or scan.
    Prepare(PrepareArgs),
}

/// The ink colour.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum InkArg {
    /// Mực xanh (chữ ký) / blue (signature).
    Blue,
    /// Mực đỏ (con dấu) / red (seal).
    Red,
}

/// Arguments of `kyso image prepare`.
#[derive(Args, Debug)]
struct PrepareArgs {
    /// Ảnh chụp hoặc ảnh quét (JPEG, PNG) / photo or scan (JPEG, PNG).
    input: PathBuf,
    /// Tệp PNG kết quả / output PNG.
    #[arg(short = 'o', long = "output", value_name = "OUT.png")]
    output: PathBuf,
    /// Màu mực / ink colour.
    #[arg(long, value_enum)]
    ink: InkArg,
    /// Chiều rộng thật của ảnh (mm), ví dụ đường kính con dấu / real width in mm.
    #[arg(long = "size-mm", value_name = "W")]
    size_mm: Option<f32>,
    /// Ghi đè tệp kết quả đã có / overwrite an existing output.
    #[arg(long)]
    force: bool,
}

/// Run `kyso image …`.
pub fn run(args: ImageArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    match args.command {
        ImageCommand::Prepare(a) => run_prepare(a, lang),
    }
}

fn run_prepare(a: PrepareArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    kyso::sign::check_paths(&a.input, &a.output, a.force)?;
    let ink = match a.ink {
        InkArg::Blue => Ink::Blue,
        InkArg::Red => Ink::Red,
    };
    let img = prepare(&a.input, ink, a.size_mm)?;
    img.write_png(&a.output)?;
    println!(
        "{}",
        kyso::tr!(
            lang,
            "Đã ghi {}: {}×{} điểm ảnh, {:.1}×{:.1} mm ({:.0} dpi).",
            "Wrote {}: {}×{} pixels, {:.1}×{:.1} mm ({:.0} dpi).",
            a.output.display(),
            img.width_px,
            img.height_px,
            img.width_mm(),
            img.height_mm(),
            img.dpi
        )
    );
    Ok(ExitCode::SUCCESS)
}
