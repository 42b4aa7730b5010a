//! Exchanges and bindings: where a published message goes (RW `docs/exchanges.md`; RS
//! `deps/rabbit/src/rabbit_exchange_type_{direct,fanout,topic,headers}.erl`).
//!
//! A publisher never names a queue: it names an exchange and a routing key, and the exchange's
//! type and bindings decide which queues get a copy (0, 1 or many, each at most once). The default
//! exchange `""` routes to the queue named by the key and cannot be bound explicitly. An
//! exchange may be bound to another exchange; a cycle of such bindings delivers once, not forever.

use super::topic;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeType {
    /// Every binding whose key equals the routing key.
    Direct,
    /// Every binding; the key is ignored.
    Fanout,
    /// Every binding whose pattern matches the key (`*` one word, `#` zero or more).
    Topic,
    /// Every binding whose arguments match the message's headers (`x-match`).
    Headers,
}

impl ExchangeType {
    pub fn parse(text: &str) -> Result<ExchangeType, String> {
        match text {
            "direct" => Ok(ExchangeType::Direct),
            "fanout" => Ok(ExchangeType::Fanout),
            "topic" => Ok(ExchangeType::Topic),
            "headers" => Ok(ExchangeType::Headers),
            other => Err(format!(
                "exchange type {} is not one of direct, fanout, topic or headers",
                crate::ground::quote::quoted(other)
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeType::Direct => "direct",
            ExchangeType::Fanout => "fanout",
            ExchangeType::Topic => "topic",
            ExchangeType::Headers => "headers",
        }
    }
}

/// What a binding delivers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    Queue(String),
    Exchange(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub destination: Destination,
    /// The binding key: compared for direct, a pattern for topic, ignored by fanout and headers.
    pub key: String,
    /// A headers binding's arguments: `x-match` and the headers to match; a `None` value matches
    /// the header's mere presence.
    pub arguments: Vec<(String, Option<String>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub name: String,
    pub kind: ExchangeType,
    pub bindings: Vec<Binding>,
}

impl Exchange {
    /// The bindings a message with `key` and `headers` matches, in binding order.
    pub fn matching<'a>(
        &'a self,
        key: &'a str,
        headers: &'a [(String, String)],
    ) -> impl Iterator<Item = &'a Binding> + 'a {
        self.bindings.iter().filter(move |b| match self.kind {
            ExchangeType::Direct => b.key == key,
            ExchangeType::Fanout => true,
            ExchangeType::Topic => topic::matches(&b.key, key),
            ExchangeType::Headers => headers_match(&b.arguments, headers),
        })
    }
}

/// A headers binding against a message's headers (RS `rabbit_exchange_type_headers.erl`):
/// `x-match` is `all` (the default), `any`, `all-with-x` or `any-with-x`; `all` and `any` leave out
/// arguments whose name starts with `x-`. `all` over nothing to compare is true, `any` false.
pub fn headers_match(arguments: &[(String, Option<String>)], headers: &[(String, String)]) -> bool {
    let mode = arguments
        .iter()
        .find(|(k, _)| k == "x-match")
        .and_then(|(_, v)| v.as_deref())
        .unwrap_or("all");
    let (all, with_x) = match mode {
        "any" => (false, false),
        "all-with-x" => (true, true),
        "any-with-x" => (false, true),
        _ => (true, false),
    };
    let mut usable = arguments
        .iter()
        .filter(|(k, _)| k != "x-match" && (with_x || !k.starts_with("x-")));
    let one = |(k, v): &(String, Option<String>)| {
        headers
            .iter()
            .any(|(hk, hv)| hk == k && v.as_ref().is_none_or(|v| v == hv))
    };
    if all {
        usable.all(one)
    } else {
        usable.any(one)
    }
}

/// A binding's arguments, checked: a headers binding's `x-match` must be one RabbitMQ knows.
pub fn check_arguments(arguments: &[(String, Option<String>)]) -> Result<(), String> {
    match arguments.iter().find(|(k, _)| k == "x-match") {
        Some((_, Some(m))) if ["all", "any", "all-with-x", "any-with-x"].contains(&m.as_str()) => {
            Ok(())
        }
        Some((_, m)) => Err(format!(
            "x-match is {}; it takes all, any, all-with-x or any-with-x",
            crate::ground::quote::quoted(m.as_deref().unwrap_or("(no value)"))
        )),
        None => Ok(()),
    }
}

/// The exchanges of a virtual host, and routing through them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exchanges {
    list: Vec<Exchange>,
}

/// Longest exchange or queue name (AMQP 0-9-1 short strings).
pub const MAX_NAME_BYTES: usize = 255;

impl Exchanges {
    pub fn get(&self, name: &str) -> Option<&Exchange> {
        self.list.iter().find(|e| e.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Exchange> {
        self.list.iter()
    }

    /// `exchange.declare`: a new exchange, or the same declaration again (a no-op, as in
    /// RabbitMQ); a different type under an existing name is refused (`PRECONDITION_FAILED`).
    pub fn declare(&mut self, name: &str, kind: ExchangeType) -> Result<(), String> {
        if name.is_empty() {
            return Err("the default exchange \"\" exists already and cannot be declared".into());
        }
        if name.starts_with("amq.") {
            return Err(format!(
                "exchange names starting with amq. are reserved (ACCESS_REFUSED): {}",
                crate::ground::quote::quoted(name)
            ));
        }
        if name.len() > MAX_NAME_BYTES {
            return Err(format!(
                "an exchange name takes at most {MAX_NAME_BYTES} bytes; this one has {}",
                name.len()
            ));
        }
        match self.get(name) {
            Some(e) if e.kind == kind => Ok(()),
            Some(e) => Err(format!(
                "exchange {} exists as {} (PRECONDITION_FAILED: inequivalent arg 'type')",
                crate::ground::quote::quoted(name),
                e.kind.as_str()
            )),
            None => {
                self.list.push(Exchange {
                    name: name.to_string(),
                    kind,
                    bindings: Vec::new(),
                });
                Ok(())
            }
        }
    }

    /// `queue.bind` / `exchange.bind`: `exists` says whether a destination is there. Binding the
    /// same thing twice is a no-op.
    pub fn bind(
        &mut self,
        exchange: &str,
        binding: Binding,
        exists: impl Fn(&Destination) -> bool,
    ) -> Result<(), String> {
        let q = crate::ground::quote::quoted;
        if exchange.is_empty() {
            return Err(
                "the default exchange cannot be bound to explicitly: every queue is \
                        bound to it under its own name"
                    .into(),
            );
        }
        check_arguments(&binding.arguments)?;
        if !exists(&binding.destination) {
            return Err(match &binding.destination {
                Destination::Queue(n) => format!("there is no queue {} (NOT_FOUND)", q(n)),
                Destination::Exchange(n) => format!("there is no exchange {} (NOT_FOUND)", q(n)),
            });
        }
        let Some(e) = self.list.iter_mut().find(|e| e.name == exchange) else {
            return Err(format!("there is no exchange {} (NOT_FOUND)", q(exchange)));
        };
        if !e.bindings.contains(&binding) {
            e.bindings.push(binding);
        }
        Ok(())
    }

    /// The queues a message published to `exchange` with `key` and `headers` goes to, each once,
    /// in the order first reached. `queue_exists` serves the default exchange, which routes to
    /// the queue named by the key. An exchange that is not there routes nowhere (the publish
    /// itself is refused earlier, with NOT_FOUND).
    pub fn route(
        &self,
        exchange: &str,
        key: &str,
        headers: &[(String, String)],
        queue_exists: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let mut queues: Vec<String> = Vec::new();
        if exchange.is_empty() {
            if queue_exists(key) {
                queues.push(key.to_string());
            }
            return queues;
        }
        // Exchange-to-exchange bindings, followed breadth first; each exchange once.
        let mut visited: Vec<&str> = Vec::new();
        let mut pending = vec![exchange];
        while let Some(name) = pending.pop() {
            if visited.contains(&name) {
                continue;
            }
            visited.push(name);
            let Some(e) = self.get(name) else { continue };
            for b in e.matching(key, headers) {
                match &b.destination {
                    Destination::Queue(q) if !queues.contains(q) => queues.push(q.clone()),
                    Destination::Queue(_) => {}
                    Destination::Exchange(x) => pending.insert(0, x.as_str()),
                }
            }
        }
        queues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(name: &str, key: &str) -> Binding {
        Binding {
            destination: Destination::Queue(name.into()),
            key: key.into(),
            arguments: Vec::new(),
        }
    }

    fn vhost() -> Exchanges {
        let mut x = Exchanges::default();
        x.declare("orders", ExchangeType::Topic).unwrap();
        x.declare("logs", ExchangeType::Fanout).unwrap();
        x.declare("tasks", ExchangeType::Direct).unwrap();
        x
    }

    #[test]
    fn each_type_routes_as_documented() {
        let mut x = vhost();
        let all = |_: &Destination| true;
        x.bind("orders", queue("eu-books", "orders.books.eu"), all)
            .unwrap();
        x.bind("orders", queue("eu", "orders.*.eu"), all).unwrap();
        x.bind("orders", queue("everything", "#"), all).unwrap();
        x.bind("logs", queue("audit", "ignored"), all).unwrap();
        x.bind("logs", queue("archive", ""), all).unwrap();
        x.bind("tasks", queue("resize", "image.resize"), all)
            .unwrap();
        x.bind("tasks", queue("resize-2", "image.resize"), all)
            .unwrap();
        let none: &[(String, String)] = &[];
        let yes = |_: &str| true;
        assert_eq!(
            x.route("orders", "orders.books.eu", none, yes),
            vec!["eu-books", "eu", "everything"]
        );
        assert_eq!(
            x.route("orders", "orders.books.fr", none, yes),
            vec!["everything"]
        );
        // Fanout ignores the key; direct compares it exactly, to every equal binding.
        assert_eq!(
            x.route("logs", "whatever", none, yes),
            vec!["audit", "archive"]
        );
        assert_eq!(
            x.route("tasks", "image.resize", none, yes),
            vec!["resize", "resize-2"]
        );
        assert!(
            x.route("tasks", "image.crop", none, yes).is_empty(),
            "unroutable"
        );
        // The default exchange: the queue named by the key, if there is one.
        assert_eq!(
            x.route("", "resize", none, |q| q == "resize"),
            vec!["resize"]
        );
        assert!(x.route("", "nope", none, |q| q == "resize").is_empty());
    }

    #[test]
    fn a_queue_gets_one_copy_and_exchange_cycles_end() {
        let mut x = vhost();
        let all = |_: &Destination| true;
        x.bind("orders", queue("eu", "orders.*.eu"), all).unwrap();
        x.bind("orders", queue("eu", "orders.#"), all).unwrap();
        // orders -> logs -> orders: a cycle.
        let to = |name: &str| Binding {
            destination: Destination::Exchange(name.into()),
            key: "#".into(),
            arguments: Vec::new(),
        };
        x.bind("orders", to("logs"), all).unwrap();
        x.bind("logs", to("orders"), all).unwrap();
        x.bind("logs", queue("audit", ""), all).unwrap();
        let none: &[(String, String)] = &[];
        assert_eq!(
            x.route("orders", "orders.books.eu", none, |_| true),
            vec!["eu", "audit"]
        );
    }

    #[test]
    fn headers_bindings_match_all_any_and_presence() {
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let a = |pairs: &[(&str, Option<&str>)]| -> Vec<(String, Option<String>)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect()
        };
        let msg = h(&[("format", "pdf"), ("type", "report"), ("x-trace", "1")]);
        assert!(headers_match(
            &a(&[("format", Some("pdf")), ("type", Some("report"))]),
            &msg
        ));
        assert!(!headers_match(
            &a(&[("format", Some("pdf")), ("type", Some("log"))]),
            &msg
        ));
        assert!(headers_match(
            &a(&[
                ("x-match", Some("any")),
                ("format", Some("zip")),
                ("type", Some("report"))
            ]),
            &msg
        ));
        // A void argument matches presence; x- arguments count only with -with-x.
        assert!(headers_match(&a(&[("format", None)]), &msg));
        assert!(
            headers_match(&a(&[("x-trace", Some("2"))]), &msg),
            "all over nothing usable"
        );
        assert!(!headers_match(
            &a(&[("x-match", Some("all-with-x")), ("x-trace", Some("2"))]),
            &msg
        ));
        assert!(
            !headers_match(&a(&[("x-match", Some("any"))]), &msg),
            "any over nothing"
        );
    }

    #[test]
    fn bad_declarations_and_bindings_say_why_and_change_nothing() {
        let mut x = vhost();
        let before = x.clone();
        let cases: Vec<(Result<(), String>, &str)> = vec![
            (
                x.declare("", ExchangeType::Direct),
                "the default exchange \"\" exists already",
            ),
            (
                x.declare("amq.mine", ExchangeType::Direct),
                "reserved (ACCESS_REFUSED)",
            ),
            (
                x.declare("orders", ExchangeType::Direct),
                "exists as topic (PRECONDITION_FAILED",
            ),
            (
                x.declare(&"x".repeat(256), ExchangeType::Direct),
                "at most 255 bytes",
            ),
            (
                x.bind("", queue("q", "k"), |_| true),
                "cannot be bound to explicitly",
            ),
            (
                x.bind("nope", queue("q", "k"), |_| true),
                "there is no exchange \"nope\"",
            ),
            (
                x.bind("orders", queue("q", "k"), |_| false),
                "there is no queue \"q\"",
            ),
            (
                x.bind(
                    "orders",
                    Binding {
                        destination: Destination::Queue("q".into()),
                        key: String::new(),
                        arguments: vec![("x-match".into(), Some("most".into()))],
                    },
                    |_| true,
                ),
                "x-match is \"most\"",
            ),
        ];
        for (result, wanted) in cases {
            let e = result.unwrap_err();
            assert!(e.contains(wanted), "{e}");
        }
        assert_eq!(x, before);
        assert!(ExchangeType::parse("x-consistent-hash")
            .unwrap_err()
            .contains("direct, fanout"));
        // Declaring the same thing again is fine.
        x.declare("orders", ExchangeType::Topic).unwrap();
        assert_eq!(x, before);
    }
}
