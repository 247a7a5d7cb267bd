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

/// A calendar day: a TOML date (`2027-03-31`) or the same as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub time::Date);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Toml(toml::value::Datetime),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Toml(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            Raw::Toml(dt) => {
                return Err(serde::de::Error::custom(format!(
                    "{dt} is not a date (expected a day such as 2027-03-31, without a time)"
                )));
            }
            Raw::Text(t) => t,
        };
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(&text, format).map(Day).map_err(|_| {
            serde::de::Error::custom(format!("{text:?} is not a date (expected YYYY-MM-DD)"))
        })
    }
}

/// AWS service principals (`export.workmail.amazonaws.com`), or patterns of
/// them (`*.workmail.amazonaws.com`).
#[derive(Debug, Clone)]
pub struct ServicePrincipals(pub Vec<String>);

impl ServicePrincipals {
    pub fn matches(&self, principal: &str) -> bool {
        self.0
            .iter()
            .any(|p| crate::policy::wildcard_match(p, principal, true))
    }
}

impl<'de> Deserialize<'de> for ServicePrincipals {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let all = Vec::<String>::deserialize(d)?;
        for s in &all {
            let ok = s.ends_with(".amazonaws.com")
                && s.len() > ".amazonaws.com".len()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.*".contains(&b));
            if !ok {
                return Err(serde::de::Error::custom(format!(
                    "{s:?} is not a service principal (expected NAME.amazonaws.com, `*` allowed: \
                     \"*.workmail.amazonaws.com\")"
                )));
            }
        }
        if all.is_empty() {
            return Err(serde::de::Error::custom("no service principal given"));
        }
        Ok(ServicePrincipals(all))
    }
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
    fn days_are_dates_without_time() {
        let d: Day = parse("2027-03-31").unwrap();
        assert_eq!(d.0, time::macros::date!(2027 - 03 - 31));
        let d: Day = parse("\"2027-03-31\"").unwrap();
        assert_eq!(d.0, time::macros::date!(2027 - 03 - 31));
        let e = parse::<Day>("2027-03-31T00:00:00Z").unwrap_err();
        assert!(e.contains("is not a date"), "{e}");
        let e = parse::<Day>("\"31/03/2027\"").unwrap_err();
        assert!(e.contains("expected YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn service_principals_are_checked() {
        let s: ServicePrincipals = parse(r#"["*.workmail.amazonaws.com"]"#).unwrap();
        assert!(s.matches("export.workmail.amazonaws.com"));
        assert!(!s.matches("workmail.amazonaws.com"));
        for bad in [r#"["workmail"]"#, r#"["arn:aws:iam::1:root"]"#, "[]"] {
            assert!(parse::<ServicePrincipals>(bad).is_err(), "{bad}");
        }
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
