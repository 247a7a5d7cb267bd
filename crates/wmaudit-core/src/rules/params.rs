//! Parameter types of checks, resolved against the catalog while a rule file
//! (or a config override) is read: an action or service the catalog does not
//! know, or a malformed policy ARN, is a load error naming the value, never a
//! rule that silently never fires.

use serde::{Deserialize, Deserializer};

use crate::catalog::{ActionSet, Catalog, closest};

/// Exact action names (no wildcards), as a set over the catalog.
#[derive(Debug, Clone)]
pub struct Actions(pub ActionSet);

impl<'de> Deserialize<'de> for Actions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let catalog = Catalog::builtin();
        let set = catalog
            .set_of(names.iter().map(String::as_str))
            .map_err(|n| {
                let hint = catalog
                    .suggest_action(&n)
                    .map_or(String::new(), |c| format!(" (did you mean {c:?}?)"));
                serde::de::Error::custom(format!("{n:?} is not an action wmaudit knows{hint}"))
            })?;
        Ok(Actions(set))
    }
}

/// Service prefixes (`workmail`), with every action of them as a set.
#[derive(Debug, Clone)]
pub struct Services {
    pub prefixes: Vec<String>,
    pub actions: ActionSet,
}

impl<'de> Deserialize<'de> for Services {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let prefixes = Vec::<String>::deserialize(d)?;
        let catalog = Catalog::builtin();
        let mut actions = catalog.empty_set();
        for p in &prefixes {
            service(catalog, p).map_err(serde::de::Error::custom)?;
            actions.union_with(&catalog.service_set(p));
        }
        Ok(Services { prefixes, actions })
    }
}

/// One service prefix.
#[derive(Debug, Clone)]
pub struct Service {
    pub prefix: String,
    pub actions: ActionSet,
}

impl<'de> Deserialize<'de> for Service {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let prefix = String::deserialize(d)?;
        let catalog = Catalog::builtin();
        service(catalog, &prefix).map_err(serde::de::Error::custom)?;
        let actions = catalog.service_set(&prefix);
        Ok(Service { prefix, actions })
    }
}

fn service(catalog: &Catalog, prefix: &str) -> Result<(), String> {
    if catalog.service(prefix).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = catalog
        .services()
        .iter()
        .map(|s| s.prefix.as_str())
        .collect();
    let hint = closest(prefix, known.iter().copied())
        .map_or(String::new(), |c| format!("did you mean {c:?}? "));
    Err(format!(
        "{prefix:?} is not a service prefix wmaudit knows ({hint}known: {})",
        known.join(", ")
    ))
}

/// A managed policy's ARN: `arn:PARTITION:iam::aws:policy/PATH/NAME`, or a
/// customer-managed policy's with a 12-digit account id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyArn(pub String);

impl PolicyArn {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

impl<'de> Deserialize<'de> for PolicyArn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let arn = String::deserialize(d)?;
        if is_policy_arn(&arn) {
            Ok(PolicyArn(arn))
        } else {
            Err(serde::de::Error::custom(format!(
                "{arn:?} is not a policy ARN (expected arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)"
            )))
        }
    }
}

fn is_policy_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let partition_ok = partition.starts_with("aws")
        && partition
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-');
    let account_ok =
        account == "aws" || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    let name = resource
        .strip_prefix("policy/")
        .and_then(|r| r.rsplit('/').next());
    partition_ok && account_ok && name.is_some_and(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: for<'de> Deserialize<'de>>(toml_value: &str) -> Result<T, String> {
        #[derive(Deserialize)]
        struct W<T> {
            v: T,
        }
        toml::from_str::<W<T>>(&format!("v = {toml_value}"))
            .map(|w| w.v)
            .map_err(|e| e.message().to_owned())
    }

    #[test]
    fn services_are_checked_against_the_catalog() {
        let s: Services = parse(r#"["workmail", "ses"]"#).unwrap();
        assert_eq!(s.prefixes, ["workmail", "ses"]);
        assert!(s.actions.count_ones(..) > 126);
        let e = parse::<Services>(r#"["workmial"]"#).unwrap_err();
        assert!(e.contains("\"workmial\" is not a service prefix"), "{e}");
        assert!(e.contains("did you mean \"workmail\"?"), "{e}");
        assert!(parse::<Service>(r#""nosuch""#).is_err());
    }

    #[test]
    fn actions_must_exist() {
        let a: Actions = parse(r#"["workmail:StartMailboxExportJob"]"#).unwrap();
        assert_eq!(a.0.count_ones(..), 1);
        let e = parse::<Actions>(r#"["workmail:StartMailboxExportJbo"]"#).unwrap_err();
        assert!(e.contains("is not an action wmaudit knows"), "{e}");
        assert!(
            e.contains("did you mean \"workmail:StartMailboxExportJob\"?"),
            "{e}"
        );
        assert!(
            parse::<Actions>(r#"["workmail:*"]"#).is_err(),
            "no wildcards"
        );
    }

    #[test]
    fn policy_arns_are_well_formed() {
        for ok in [
            "arn:aws:iam::aws:policy/AmazonWorkMailFullAccess",
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
            "arn:aws-us-gov:iam::111122223333:policy/Mine",
        ] {
            assert!(parse::<PolicyArn>(&format!("{ok:?}")).is_ok(), "{ok}");
        }
        for bad in [
            "AmazonWorkMailFullAccess",
            "arn:aws:iam::aws:role/X",
            "arn:aws:iam::12345:policy/X",
            "arn:aws:iam::aws:policy/",
            "arn:aws:s3:::aws:policy/X",
        ] {
            let e = parse::<PolicyArn>(&format!("{bad:?}")).unwrap_err();
            assert!(e.contains("is not a policy ARN"), "{bad}: {e}");
        }
    }
}
