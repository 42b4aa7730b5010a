//! Topic-exchange matching, as RabbitMQ does it (RW `docs/exchanges.md`, "Topic Exchange"; RS
//! `deps/rabbit/src/rabbit_db_topic_exchange.erl`): a routing key is a list of words separated by
//! dots, and a binding pattern matches it word by word, where `*` stands for exactly one word and
//! `#` for zero or more. So `regions.na.cities.*` does not match `regions.na.cities`,
//! `audit.events.#` matches `audit.events`, and `#` alone matches every key (a fanout).
//!
//! The empty key has no words (RabbitMQ's `split_topic_key(<<>>)` is `[]`), and two dots in a row
//! make an empty word (`a..b` is `a`, ``, `b`): both are matched as RabbitMQ matches them.

/// The words of a routing key or binding pattern.
pub fn words(key: &str) -> Vec<&str> {
    if key.is_empty() {
        Vec::new()
    } else {
        key.split('.').collect()
    }
}

/// Whether binding `pattern` matches routing `key`.
pub fn matches(pattern: &str, key: &str) -> bool {
    matches_words(&words(pattern), &words(key))
}

/// Word by word, with `#` tried against every number of words it could take. Iterative over the
/// pattern with one table row per step (`reachable[i]`: the first `i` words of the key can be
/// consumed so far), so a pattern of many `#` costs no more than its length times the key's.
fn matches_words(pattern: &[&str], key: &[&str]) -> bool {
    let mut reachable = vec![false; key.len() + 1];
    reachable[0] = true;
    for &p in pattern {
        let mut next = vec![false; key.len() + 1];
        match p {
            "#" => {
                // Zero words, or as many more as the key has.
                let mut any = false;
                for i in 0..=key.len() {
                    any |= reachable[i];
                    next[i] = any;
                }
            }
            _ => {
                for i in 0..key.len() {
                    if reachable[i] && (p == "*" || p == key[i]) {
                        next[i + 1] = true;
                    }
                }
            }
        }
        reachable = next;
    }
    reachable[key.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documentations_examples() {
        // RW docs/exchanges.md and the topic tutorial (tutorial five): *.orange.* and
        // *.*.rabbit / lazy.#.
        assert!(!matches("regions.na.cities.*", "regions.na.cities"));
        assert!(matches("regions.na.cities.*", "regions.na.cities.toronto"));
        assert!(matches("audit.events.#", "audit.events"));
        assert!(matches("audit.events.#", "audit.events.users.signup"));
        assert!(matches("#", "anything.at.all"));
        assert!(matches("#", ""));
        for (key, q1, q2) in [
            ("quick.orange.rabbit", true, true),
            ("lazy.orange.elephant", true, true),
            ("quick.orange.fox", true, false),
            ("lazy.brown.fox", false, true),
            ("lazy.pink.rabbit", false, true),
            ("quick.brown.fox", false, false),
            ("orange", false, false),
            ("quick.orange.new.rabbit", false, false),
            ("lazy.orange.new.rabbit", false, true),
        ] {
            assert_eq!(matches("*.orange.*", key), q1, "{key}");
            assert_eq!(
                matches("*.*.rabbit", key) || matches("lazy.#", key),
                q2,
                "{key}"
            );
        }
    }

    #[test]
    fn empty_keys_and_empty_words_are_words_as_rabbitmq_splits_them() {
        assert_eq!(words(""), Vec::<&str>::new());
        assert_eq!(words("a..b"), vec!["a", "", "b"]);
        assert!(!matches("*", ""), "the empty key has no word for * to take");
        assert!(matches("a.*.b", "a..b"), "an empty word is a word");
        assert!(matches("#.#", ""));
        assert!(matches("orders.#.eu", "orders.eu"));
        assert!(matches("orders.*.eu", "orders.books.eu"));
        assert!(!matches("orders.*.eu", "orders.books.fr"));
        // * and # are special only as whole words.
        assert!(!matches("orders.b*", "orders.books"));
        assert!(matches("orders.b*", "orders.b*"));
    }

    /// RabbitMQ's own recursive rule (`match_words` in its topic-exchange tests): a word, a `*`
    /// taking one word, or a `#` taking any number of them.
    fn reference(pattern: &[&str], key: &[&str]) -> bool {
        match (pattern.split_first(), key.split_first()) {
            (None, None) => true,
            (Some((&"#", rest)), _) => (0..=key.len()).any(|n| reference(rest, &key[n..])),
            (Some((&"*", rest)), Some((_, krest))) => reference(rest, krest),
            (Some((p, rest)), Some((k, krest))) if p == k => reference(rest, krest),
            _ => false,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        #[test]
        fn the_table_agrees_with_the_recursive_rule(
            pattern in proptest::collection::vec(proptest::sample::select(vec!["a", "b", "*", "#", ""]), 0..7),
            key in proptest::collection::vec(proptest::sample::select(vec!["a", "b", ""]), 0..7),
        ) {
            proptest::prop_assert_eq!(matches_words(&pattern, &key), reference(&pattern, &key));
        }
    }

    #[test]
    fn many_hashes_stay_cheap() {
        let pattern = vec!["#"; 200].join(".");
        let key = vec!["w"; 200].join(".");
        assert!(matches(&pattern, &key));
        assert!(!matches(&format!("{pattern}.x"), &key));
    }
}
