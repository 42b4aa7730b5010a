//! The embed options of a page address (`?embed=1&view=topics,groups&controls=minimal&theme=dark`):
//! what a documentation site's frame asks the page to show and how. The scenario and state
//! parameters (`scenario=`, `seed=`, `speed=`, `#s=`) are read as for the full page; these only
//! choose the presentation. Parsing is pure and lenient: a value it does not know is named in a
//! message with the values it takes, and the default is used, so a typo never leaves a blank
//! figure.

/// A part of the page a figure can show (`view=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    Producers,
    Topics,
    Groups,
    Log,
    Lesson,
    /// RabbitMQ and share groups beside the log ("Log vs queue"), when the scenario has them.
    Queues,
}

/// How much of the header a figure keeps (`controls=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Controls {
    /// Play/pause, step, speed, the time and the timeline.
    Full,
    /// Play/pause and the time.
    Minimal,
    /// Nothing: the figure plays (or stands) as the address says.
    None,
}

/// The colour theme (`theme=`): `Auto` follows `prefers-color-scheme` (in a custom element, the
/// host page's theme signals too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedOptions {
    /// `embed=1`: a figure (compact header, no page chrome), not the full page.
    pub embed: bool,
    /// What it shows, in page order; all three columns unless `view=` says.
    pub regions: Vec<Region>,
    /// The address says `view=` (a lesson's panel shows in a figure only if it lists `lesson`,
    /// or when it says nothing).
    pub view_set: bool,
    pub controls: Controls,
    pub theme: Theme,
    /// `autoplay=0|1`; `None` when the address does not say (a figure then plays, as the page
    /// does, unless it opens a share link, which shows a moment).
    pub autoplay: Option<bool>,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        EmbedOptions {
            embed: false,
            regions: vec![
                Region::Producers,
                Region::Topics,
                Region::Groups,
                Region::Queues,
            ],
            view_set: false,
            controls: Controls::Full,
            theme: Theme::Auto,
            autoplay: None,
        }
    }
}

impl EmbedOptions {
    /// Whether the figure shows `region`.
    pub fn shows(&self, region: Region) -> bool {
        self.regions.contains(&region)
    }

    /// Reads the options from a query string (with or without its `?`), and a message per value
    /// it could not use.
    pub fn parse(query: &str) -> (EmbedOptions, Vec<String>) {
        let mut o = EmbedOptions::default();
        let mut problems = Vec::new();
        for (key, value) in query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|kv| kv.split_once('='))
        {
            match key {
                "embed" => o.embed = flag(key, value, &mut problems).unwrap_or(false),
                "autoplay" => o.autoplay = flag(key, value, &mut problems),
                "view" => {
                    o.regions = regions(value, &mut problems);
                    o.view_set = true;
                }
                "controls" => {
                    o.controls = match value {
                        "full" => Controls::Full,
                        "minimal" => Controls::Minimal,
                        "none" => Controls::None,
                        _ => {
                            problems.push(bad(key, value, "full, minimal or none"));
                            Controls::Full
                        }
                    }
                }
                "theme" => {
                    o.theme = match value {
                        "auto" => Theme::Auto,
                        "light" => Theme::Light,
                        "dark" => Theme::Dark,
                        _ => {
                            problems.push(bad(key, value, "auto, light or dark"));
                            Theme::Auto
                        }
                    }
                }
                _ => {}
            }
        }
        (o, problems)
    }
}

/// Most characters of a value quoted back in a message: an address is anyone's to write.
const QUOTED: usize = 40;

fn bad(key: &str, value: &str, takes: &str) -> String {
    let shown: String = value
        .chars()
        .take(QUOTED)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let cut = if value.chars().count() > QUOTED {
        "…"
    } else {
        ""
    };
    format!("{key}=\"{shown}{cut}\" is not one of {takes}; using the default.")
}

fn flag(key: &str, value: &str, problems: &mut Vec<String>) -> Option<bool> {
    match value {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => {
            problems.push(bad(key, value, "0 or 1"));
            None
        }
    }
}

fn regions(value: &str, problems: &mut Vec<String>) -> Vec<Region> {
    let mut out = Vec::new();
    for part in value.split([',', '+']).filter(|p| !p.is_empty()) {
        let add: &[Region] = match part {
            "cluster" => &[Region::Producers, Region::Topics, Region::Groups],
            "queues" => &[Region::Queues],
            "producers" => &[Region::Producers],
            "topics" => &[Region::Topics],
            "groups" => &[Region::Groups],
            "log" => &[Region::Log],
            "lesson" => &[Region::Lesson],
            _ => {
                problems.push(bad(
                    "view",
                    part,
                    "cluster, producers, topics, groups, queues, log or lesson",
                ));
                &[]
            }
        };
        for r in add {
            if !out.contains(r) {
                out.push(*r);
            }
        }
    }
    if out.is_empty() {
        return EmbedOptions::default().regions;
    }
    // In page order, whatever order the address lists them in.
    let order = [
        Region::Lesson,
        Region::Producers,
        Region::Topics,
        Region::Groups,
        Region::Queues,
        Region::Log,
    ];
    order.into_iter().filter(|r| out.contains(r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_page_is_the_default() {
        let (o, problems) = EmbedOptions::parse("?scenario=first-look&seed=3");
        assert_eq!(o, EmbedOptions::default());
        assert!(problems.is_empty());
    }

    #[test]
    fn a_figure_reads_its_views_controls_theme_and_autoplay() {
        let (o, problems) = EmbedOptions::parse(
            "embed=1&view=groups,topics&controls=minimal&theme=dark&autoplay=0",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert!(o.embed);
        assert_eq!(
            o.regions,
            vec![Region::Topics, Region::Groups],
            "page order"
        );
        assert_eq!(o.controls, Controls::Minimal);
        assert_eq!(o.theme, Theme::Dark);
        assert_eq!(o.autoplay, Some(false));
        let (o, _) = EmbedOptions::parse("embed=1&view=cluster,log");
        assert_eq!(
            o.regions,
            vec![
                Region::Producers,
                Region::Topics,
                Region::Groups,
                Region::Log
            ]
        );
    }

    #[test]
    fn an_unknown_value_is_named_with_what_it_takes_and_the_default_used() {
        let (o, problems) =
            EmbedOptions::parse("embed=yes&view=topics,charts&controls=some&theme=%1b[31m");
        assert!(!o.embed);
        assert_eq!(o.regions, vec![Region::Topics]);
        assert_eq!(o.controls, Controls::Full);
        assert_eq!(o.theme, Theme::Auto);
        assert_eq!(
            problems,
            vec![
                "embed=\"yes\" is not one of 0 or 1; using the default.",
                "view=\"charts\" is not one of cluster, producers, topics, groups, queues, log or lesson; using the default.",
                "controls=\"some\" is not one of full, minimal or none; using the default.",
                "theme=\"%1b[31m\" is not one of auto, light or dark; using the default.",
            ]
        );
        let long = format!("theme={}", "x".repeat(500));
        let (_, problems) = EmbedOptions::parse(&long);
        assert!(problems[0].len() < 120, "{}", problems[0]);
    }

    #[test]
    fn a_view_of_nothing_known_shows_the_cluster() {
        let (o, problems) = EmbedOptions::parse("view=,,nope");
        assert_eq!(o.regions, EmbedOptions::default().regions);
        assert_eq!(problems.len(), 1);
    }
}
