//! `whoserves keygen`, `sign` and `verify`: minisign (Ed25519) signatures
//! of bundle files, compatible with the `minisign` tool. Verification is
//! the core's (`whoserves_core::sign`), the same code the viewer runs.

use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use whoserves_core::include::{plan, Base};
use whoserves_core::sign::{verify, TrustedKey, Verification};
use whoserves_core::text::inert;

/// The environment variable holding the secret key's password.
pub const PASSWORD_VAR: &str = "WHOSERVES_KEY_PASSWORD";

/// `whoserves keygen` arguments.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write NAME.pub and NAME.key here (NAME.key must not exist).
    #[arg(value_name = "NAME")]
    pub name: PathBuf,
}

/// `whoserves sign` arguments.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The secret key (from `whoserves keygen` or `minisign -G`).
    #[arg(long, short = 's', value_name = "KEY")]
    pub key: PathBuf,
    /// The bundle; the signature goes to BUNDLE.minisig.
    pub file: PathBuf,
}

/// `whoserves verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A trusted public key: a .pub file or the base64 key itself (repeatable).
    #[arg(long, short = 'p', value_name = "KEY", required = true)]
    pub key: Vec<String>,
    /// The bundle; its signature is read from BUNDLE.minisig.
    pub file: PathBuf,
}

fn fail(message: &str) -> ExitCode {
    eprintln!("whoserves: {}", inert(message));
    ExitCode::from(2)
}

fn minisig(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".minisig");
    PathBuf::from(s)
}

/// Runs `whoserves keygen`.
pub fn keygen(args: KeygenArgs) -> ExitCode {
    let password = std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty());
    let pair = match &password {
        Some(p) => minisign::KeyPair::generate_encrypted_keypair(Some(p.clone())),
        None => minisign::KeyPair::generate_unencrypted_keypair(),
    };
    let pair = match pair {
        Ok(p) => p,
        Err(e) => return fail(&format!("cannot make a key pair: {e}")),
    };
    let (pub_path, key_path) = (
        args.name.with_extension("pub"),
        args.name.with_extension("key"),
    );
    if key_path.exists() {
        return fail(&format!(
            "{} exists; keygen never overwrites a secret key",
            key_path.display()
        ));
    }
    let pk = match pair.pk.to_box() {
        Ok(b) => b.to_string(),
        Err(e) => return fail(&format!("cannot write the public key: {e}")),
    };
    let sk = match pair.sk.to_box(None) {
        Ok(b) => b.to_string(),
        Err(e) => return fail(&format!("cannot write the secret key: {e}")),
    };
    if let Err(e) = std::fs::write(&pub_path, pk).and_then(|()| std::fs::write(&key_path, sk)) {
        return fail(&format!("cannot write the keys: {e}"));
    }
    println!("public key: {}", pair.pk.to_base64());
    println!("wrote {} and {}", pub_path.display(), key_path.display());
    if password.is_none() {
        eprintln!("whoserves: the secret key is not encrypted; set {PASSWORD_VAR} to encrypt it, and keep it off the web server");
    }
    ExitCode::SUCCESS
}

/// Runs `whoserves sign`.
pub fn sign(args: SignArgs) -> ExitCode {
    let text = match std::fs::read_to_string(&args.key) {
        Ok(t) => t,
        Err(e) => return fail(&format!("cannot read {}: {e}", args.key.display())),
    };
    let sk_box = match minisign::SecretKeyBox::from_string(&text) {
        Ok(b) => b,
        Err(e) => {
            return fail(&format!(
                "{} is not a minisign secret key: {e}",
                args.key.display()
            ))
        }
    };
    let sk = match std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty()) {
        Some(p) => sk_box.into_secret_key(Some(p)),
        None => sk_box.into_unencrypted_secret_key(),
    };
    let sk = match sk {
        Ok(k) => k,
        Err(e) => {
            return fail(&format!(
                "cannot open the secret key (is {PASSWORD_VAR} set?): {e}"
            ))
        }
    };
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(&format!("cannot read {}: {e}", args.file.display())),
    };
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let signed = minisign::sign(
        None,
        &sk,
        &bytes[..],
        Some(&format!("file:{name}")),
        Some("whoserves bundle signature"),
    );
    let sig = match signed {
        Ok(s) => s.to_string(),
        Err(e) => return fail(&format!("cannot sign: {e}")),
    };
    let out = minisig(&args.file);
    if let Err(e) = std::fs::write(&out, sig) {
        return fail(&format!("cannot write {}: {e}", out.display()));
    }
    println!("wrote {}", out.display());
    ExitCode::SUCCESS
}

/// A trusted key from a .pub file or a base64 string.
fn trusted(spec: &str) -> Result<TrustedKey, String> {
    let path = Path::new(spec);
    let (name, key) = if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {spec}: {e}"))?;
        let key = text
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        (
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            key,
        )
    } else {
        (
            format!("key {}…", spec.chars().take(10).collect::<String>()),
            spec.trim().to_string(),
        )
    };
    if !whoserves_core::sign::is_public_key(&key) {
        return Err(format!("{spec} is not a minisign public key"));
    }
    Ok(TrustedKey { name, key })
}

/// Runs `whoserves verify`: the signature, then the SHA-256 of each
/// library the bundle pins.
pub fn verify_cmd(args: VerifyArgs) -> ExitCode {
    let keys: Result<Vec<TrustedKey>, String> = args.key.iter().map(|k| trusted(k)).collect();
    let keys = match keys {
        Ok(k) => k,
        Err(e) => return fail(&e),
    };
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(&format!("cannot read {}: {e}", args.file.display())),
    };
    let sig = std::fs::read_to_string(minisig(&args.file)).ok();
    let result = verify(&bytes, sig.as_deref(), &keys);
    let name = args.file.display().to_string();
    println!("{}: {}", inert(&name), result.describe());
    let mut ok = matches!(result, Verification::SignedBy(_));
    // Libraries pinned by hash: signed through the bundle.
    let text = String::from_utf8_lossy(&bytes);
    let dir = args
        .file
        .parent()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = Base::Dir(dir);
    for inc in plan(&text, &base) {
        let Ok(target) = &inc.target else { continue };
        let checked = std::fs::read_to_string(target.as_str())
            .map_err(|e| inc.failed(&base, &e.to_string()))
            .and_then(|t| inc.check(&t));
        match (checked, &inc.sha256) {
            (Ok(()), Some(_)) => println!("  {}: SHA-256 matches", inert(&inc.reference)),
            (Ok(()), None) => println!(
                "  {}: not pinned by SHA-256, so not covered by the signature",
                inert(&inc.reference)
            ),
            (Err(d), _) => {
                println!("  {}", d.render(&name));
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
