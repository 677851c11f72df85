//! Who may be named on a shared database. Names compare exactly, as the server compares its
//! roles; so a name that merely looks like a member's (`ANA` beside `ana`, a Cyrillic `а`, an
//! accent spelled as two characters) would be read as that person while naming someone else,
//! and a role that no rule of the team binds (a superuser, one that bypasses row-level security
//! or may create roles, the owner of jobloop's tables or a member of it) could act without the
//! rules. Neither may be added to the team or named as an owner or lead.

use super::error::Refusal;
use super::text::look_alike_key;

/// What the server says about one of its roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleFacts {
    pub name: String,
    /// In the team's group role.
    pub member: bool,
    /// Why no rule of the team binds it, when none does.
    pub unbound: Option<Unbound>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unbound {
    Superuser,
    BypassesRowSecurity,
    CreatesRoles,
    OwnsTables,
    InOwnersRole,
}

impl Unbound {
    pub fn words(self) -> &'static str {
        match self {
            Unbound::Superuser => "is a superuser",
            Unbound::BypassesRowSecurity => "bypasses row-level security",
            Unbound::CreatesRoles => "may create roles (and so grant itself others' rights)",
            Unbound::OwnsTables => "owns jobloop's tables",
            Unbound::InOwnersRole => "is a member of the role that owns jobloop's tables",
        }
    }
}

/// Role names the server keeps for itself, whatever their case.
const RESERVED: [&str; 6] = [
    "public",
    "current_user",
    "session_user",
    "current_role",
    "none",
    "all",
];

/// Why `name` may not be added to the team (`joining`) or named as an owner or lead, given the
/// server's roles and the team's group role; `None` when it may.
pub fn refusal(name: &str, roles: &[RoleFacts], group: &str, joining: bool) -> Option<Refusal> {
    let shown = name;
    let what = if joining {
        "the team"
    } else {
        "an owner or lead"
    };
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
        || name == group
        || name.starts_with("pg_")
    {
        return Some(Refusal::rule(format!(
            "`{shown}` is a name the server keeps for itself (a keyword, the members' group or pg_…): choose another"
        )));
    }
    if let Some(r) = roles.iter().find(|r| r.name == name)
        && let Some(why) = r.unbound
    {
        return Some(
            Refusal::rule(format!(
                "`{shown}` {}: no rule of the team binds it, so it cannot be {}",
                why.words(),
                if joining { "on the team" } else { what }
            ))
            .advice("record as a member; administer with that role"),
        );
    }
    let key = look_alike_key(name);
    if let Some(twin) = roles
        .iter()
        .find(|r| r.member && r.name != name && look_alike_key(&r.name) == key)
    {
        return Some(
            Refusal::rule(format!(
                "`{shown}` looks like the member `{}` (it differs only by case, accents or look-alike letters): the server would take them for two people",
                twin.name
            ))
            .advice(format!("use `{}`", twin.name)),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(name: &str, member: bool, unbound: Option<Unbound>) -> RoleFacts {
        RoleFacts {
            name: name.into(),
            member,
            unbound,
        }
    }

    #[test]
    fn look_alikes_reserved_names_and_unbound_roles_are_refused() {
        let roles = [
            role("ana", true, None),
            role("\u{e9}lise", true, None),
            role("postgres", false, Some(Unbound::Superuser)),
            role("lead", false, Some(Unbound::OwnsTables)),
            role("eve", true, Some(Unbound::BypassesRowSecurity)),
        ];
        for name in [
            "ANA",
            "\u{430}na",
            "\u{c9}lise",
            "e\u{301}lise",
            "postgres",
            "lead",
            "eve",
            "PUBLIC",
            "Current_User",
            "jobloop_member",
            "pg_monitor",
        ] {
            assert!(
                refusal(name, &roles, "jobloop_member", true).is_some(),
                "{name:?}"
            );
            assert!(
                refusal(name, &roles, "jobloop_member", false).is_some(),
                "{name:?}"
            );
        }
        for name in ["ana", "ben", "\u{e9}lise", "o'neil", "a;b"] {
            assert_eq!(
                refusal(name, &roles, "jobloop_member", true),
                None,
                "{name:?}"
            );
        }
    }
}
