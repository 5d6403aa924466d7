//! A request's path with the values of its route's sensitive parameters
//! redacted: a password reset's `/reset/{token}`, an invitation's
//! `/invites/{invite_token}/accept`. The route says which segment holds
//! what (axum's `MatchedPath`, API Gateway's resource path or route key),
//! and a parameter is sensitive as a key is (the sensitive-key policy,
//! with the terms added at run time). The rest of the path is kept, so the
//! record still says which endpoint was called.

use crate::context::Context;
use crate::redact::policy::Policy;
use crate::redact::Out;
use std::fmt;

/// Writes `path` to `out` as [`RoutePath`] has it, under the policy `out`
/// writes with.
pub(crate) fn write_path(path: &str, route: Option<&str>, out: Out<'_>) {
    match route.filter(|r| has_parameter(r)) {
        None => out.str(path),
        route => {
            let policy = out.policy();
            out.display(&RoutePath {
                path,
                route,
                policy,
            })
        }
    }
}

/// Sets `url.path` to `path` as [`RoutePath`] has it, under the policy of
/// the configuration records are written with.
pub(crate) fn set_url_path(cx: &mut Context, path: &str, route: Option<&str>) {
    match route.filter(|r| has_parameter(r)) {
        None => cx.set_url_path(&path),
        route => cx.set_url_path(&RoutePath {
            path,
            route,
            policy: &crate::state::current().0.policy,
        }),
    }
}

/// The route of an HTTP API's route key (`POST /reset/{token}`), which
/// `$default` has none of.
#[cfg(feature = "aws-events")]
pub(crate) fn of_route_key(route_key: Option<&str>) -> Option<&str> {
    route_key?.split_once(' ').map(|(_, route)| route)
}

/// Whether a route can have a parameter at all.
fn has_parameter(route: &str) -> bool {
    route.contains(['{', ':', '*'])
}

/// The most segments a path is matched against its route over: a longer
/// path (an attacker's) is written as it is, scanned for shapes as every
/// string is.
const MAX_SEGMENTS: usize = 64;

/// How many segments before the route's a path may carry: API Gateway's
/// stage (`/prod/reset/…` of a REST API's `requestContext.path`) or a
/// custom domain's base path; or a route before the path's (a nested
/// router's prefix).
const MAX_PREFIX: usize = 2;

/// `path`, with each of its segments that `route` binds to a parameter
/// whose name is sensitive written `[REDACTED]`; as it is when the route
/// has no such parameter or does not match the path.
///
/// A parameter is a whole segment: `{name}` (axum 0.8, API Gateway),
/// `:name` (axum before 0.8), or one that takes the rest of the path,
/// `{*name}` (axum), `*name` or `{name+}` (API Gateway's greedy
/// `{proxy+}`). The route's other segments must equal the path's; the
/// path may carry up to two segments before them (a stage, a base path),
/// or the route up to two before the path's (a nested router's prefix,
/// which the path a layer inside it sees has lost).
pub(crate) struct RoutePath<'a> {
    pub(crate) path: &'a str,
    pub(crate) route: Option<&'a str>,
    pub(crate) policy: &'a Policy,
}

impl fmt::Display for RoutePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self
            .route
            .and_then(|route| redacted(self.path, route, self.policy))
        {
            Some(redacted) => redacted.write(self.path, f),
            None => f.write_str(self.path),
        }
    }
}

/// What of a path a route's sensitive parameters cover.
struct Redacted {
    /// The path's segments (by index) to write `[REDACTED]` in place of,
    /// as bits.
    segments: u64,
    /// The segment from which the rest of the path is redacted, when a
    /// sensitive parameter takes it.
    rest: Option<usize>,
}

impl Redacted {
    fn write(&self, path: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, segment) in path.split('/').enumerate() {
            if k > 0 {
                f.write_str("/")?;
            }
            match self.rest {
                Some(rest) if k == rest => return f.write_str("[REDACTED]"),
                _ if k < 64 && self.segments & 1 << k != 0 => f.write_str("[REDACTED]")?,
                _ => f.write_str(segment)?,
            }
        }
        Ok(())
    }
}

/// A route segment's parameter: its name, and whether it takes the rest
/// of the path.
fn parameter(segment: &str) -> Option<(&str, bool)> {
    if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        return Some(match (inner.strip_prefix('*'), inner.strip_suffix('+')) {
            (Some(name), _) | (_, Some(name)) => (name, true),
            _ => (inner, false),
        });
    }
    match (segment.strip_prefix(':'), segment.strip_prefix('*')) {
        (Some(name), _) => Some((name, false)),
        (_, Some(name)) => Some((name, true)),
        _ => None,
    }
}

/// Which segments of `path` the sensitive parameters of `route` cover,
/// when it has any and matches the path (see [`RoutePath`]).
fn redacted(path: &str, route: &str, policy: &Policy) -> Option<Redacted> {
    let sensitive = |name: &str| !name.is_empty() && policy.is_sensitive(name);
    // Most routes have no parameter, and most parameters are ids: nothing
    // is gathered for them.
    if !has_parameter(route)
        || !route
            .split('/')
            .filter_map(parameter)
            .any(|(name, _)| sensitive(name))
    {
        return None;
    }
    let route: Vec<&str> = route.split('/').take(MAX_SEGMENTS + 1).collect();
    let path_segments: Vec<&str> = path.split('/').take(MAX_SEGMENTS + 1).collect();
    if route.len() > MAX_SEGMENTS || path_segments.len() > MAX_SEGMENTS {
        return None;
    }
    let params: Vec<Option<(&str, bool)>> = route.iter().map(|s| parameter(s)).collect();
    let greedy = matches!(params.last(), Some(Some((_, true))));
    let fixed = route.len() - usize::from(greedy);
    // Route segment `k` falls on path segment `k + shift`: a path may
    // carry segments before the route's (a stage, a base path: `shift`
    // above 0), and a route those before the path's (the prefix of a
    // nested router, whose layer sees the path without it: below 0).
    let path_len = path_segments.len() as isize;
    let fits = |shift: isize| {
        let count_fits = if greedy {
            path_len - shift > fixed as isize
        } else {
            path_len - shift == route.len() as isize
        };
        // The route's segments that fall on the path.
        count_fits
            && (0..fixed).filter(|&k| k as isize + shift >= 0).all(|k| {
                let at = (k as isize + shift) as usize;
                match params[k] {
                    Some(_) => true,
                    // Either leading empty segment meets a prefix's.
                    None if k == 0 || at == 0 => true,
                    None => path_segments[at] == route[k],
                }
            })
    };
    // Where more than one place fits (a route of parameters only, after a
    // stage), the segments of each are redacted. A route longer than the
    // path is looked at only when nothing else fits: the path of a request
    // matched outside any nested router is the route's whole.
    let max = MAX_PREFIX as isize;
    let shifts: Vec<isize> = match (0..=max).filter(|&s| fits(s)).collect::<Vec<_>>() {
        shifts if shifts.is_empty() => (-max..0).filter(|&s| fits(s)).collect(),
        shifts => shifts,
    };
    if shifts.is_empty() {
        return None;
    }
    let mut out = Redacted {
        segments: 0,
        rest: None,
    };
    for shift in shifts {
        for (k, param) in params.iter().enumerate() {
            let Some((name, rest)) = param else { continue };
            let at = k as isize + shift;
            // A parameter on the path's leading empty segment, or before
            // it, holds nothing of this path.
            if at <= 0 || !sensitive(name) {
                continue;
            }
            let at = at as usize;
            match rest {
                // The first that takes the rest of the path.
                true => out.rest = Some(out.rest.map_or(at, |r| r.min(at))),
                false => out.segments |= 1 << at,
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(path: &str, route: &str) -> String {
        RoutePath {
            path,
            route: Some(route),
            policy: &Policy::default(),
        }
        .to_string()
    }

    #[test]
    fn a_sensitive_parameters_segment_is_redacted_and_the_rest_kept() {
        for (path, route, logged) in [
            ("/reset/k9Xq2", "/reset/{token}", "/reset/[REDACTED]"),
            (
                "/invites/k9Xq2/accept",
                "/invites/{invite_token}/accept",
                "/invites/[REDACTED]/accept",
            ),
            (
                "/users/42/reset/k9",
                "/users/{id}/reset/{token}",
                "/users/42/reset/[REDACTED]",
            ),
            // Before axum 0.8, a wildcard, API Gateway's greedy proxy.
            ("/reset/k9", "/reset/:token", "/reset/[REDACTED]"),
            ("/dl/secret/a/b", "/dl/{*secret}", "/dl/[REDACTED]"),
            ("/dl/a/b", "/dl/{secret+}", "/dl/[REDACTED]"),
            // A REST API's `requestContext.path` carries the stage.
            ("/prod/reset/k9", "/reset/{token}", "/prod/reset/[REDACTED]"),
            ("/prod/v1/dl/a/b", "/dl/{secret+}", "/prod/v1/dl/[REDACTED]"),
            // Under a nested router's layer, the path lost the prefix its
            // matched route has.
            ("/reset/k9", "/api/reset/{token}", "/reset/[REDACTED]"),
            ("/reset/k9", "/api/v2/reset/{token}", "/reset/[REDACTED]"),
            ("/k9", "/reset/{token}", "/[REDACTED]"),
        ] {
            assert_eq!(written(path, route), logged, "{path} as {route}");
        }
    }

    #[test]
    fn a_path_the_route_does_not_describe_is_written_as_it_is() {
        for (path, route) in [
            // No parameter, or none sensitive.
            ("/health", "/health"),
            ("/users/42", "/users/{id}"),
            ("/files/a/b", "/files/{*path}"),
            // Segments that do not match, too few or too many.
            ("/other/k9", "/reset/{token}"),
            ("/reset/k9/more", "/reset/{token}"),
            ("/a/b/c/reset/k9", "/reset/{token}"),
        ] {
            assert_eq!(written(path, route), path, "{path} as {route}");
        }
        let long = "/a".repeat(MAX_SEGMENTS);
        assert_eq!(written(&long, "/a/{token}"), long);
        let no_route = RoutePath {
            path: "/reset/k9",
            route: None,
            policy: &Policy::default(),
        };
        assert_eq!(no_route.to_string(), "/reset/k9");
    }

    #[test]
    fn any_route_and_path_give_a_bounded_answer_and_a_matched_secret_is_never_written() {
        let pieces = [
            "",
            "a",
            "reset",
            "{token}",
            "{id}",
            ":token",
            "*token",
            "{*token}",
            "{proxy+}",
            "{password+}",
            "{}",
            "{*}",
            "{",
            "}",
            ":",
            "*",
            "prod",
            "é",
            "{user_id}",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..20_000 {
            let route: Vec<&str> = (0..next(6)).map(|_| pieces[next(pieces.len())]).collect();
            let route = format!("/{}", route.join("/"));
            // A path the route matches: a sensitive parameter given a
            // secret, another a value, literal segments kept; sometimes a
            // stage before, sometimes a segment more.
            let sensitive = |name: &str| !name.is_empty() && Policy::default().is_sensitive(name);
            let mut path: Vec<String> = route
                .split('/')
                .skip(1)
                .map(|segment| match parameter(segment) {
                    Some((name, _)) if sensitive(name) => "S3cr3t".to_string(),
                    Some(_) => "v4lue".to_string(),
                    None => segment.to_string(),
                })
                .collect();
            let more = next(5);
            match more {
                0 => path.insert(0, "prod".to_string()),
                1 => path.push(pieces[next(pieces.len())].to_string()),
                // A nested router's layer: the prefix is gone.
                2 if !path.is_empty() => drop(path.remove(0)),
                _ => {}
            }
            let path = format!("/{}", path.join("/"));
            let logged = written(&path, &route);
            assert!(logged.len() <= path.len() + 10 * 64, "{path} as {route}");
            if !route
                .split('/')
                .filter_map(parameter)
                .any(|(n, _)| sensitive(n))
            {
                assert_eq!(logged, path, "{route}");
            } else if more != 1 {
                assert!(!logged.contains("S3cr3t"), "{path} as {route}: {logged}");
            }
        }
    }

    #[test]
    fn terms_added_at_run_time_name_sensitive_parameters() {
        let policy = Policy::with_extra(["slug".to_string()]);
        let path = RoutePath {
            path: "/share/abc",
            route: Some("/share/{share_slug}"),
            policy: &policy,
        };
        assert_eq!(path.to_string(), "/share/[REDACTED]");
    }
}
