//! The behaviours Kafka's own tests pin down, each named after the test it mirrors
//! (`AbstractStickyAssignorTest` runs once as `StickyAssignorTest` and once as
//! `CooperativeStickyAssignorTest`).

use crate::ground::small_map::SmallMap;

use super::assign;
use crate::consumer::assignors::properties::{compute, Facts};
use crate::protocol::{Assignment, MemberSubscription, TopicPartition};

const EAGER: bool = false;
const COOPERATIVE: bool = true;

fn tp(topic: &str, partition: u32) -> TopicPartition {
    (topic.to_string(), partition)
}

fn topics(counts: &[(&str, u32)]) -> SmallMap<String, u32> {
    counts.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

/// A member without previous ownership.
fn fresh(id: &str, subscription: &[&str]) -> MemberSubscription {
    owning(id, subscription, &[], None)
}

fn owning(
    id: &str,
    subscription: &[&str],
    owned: &[TopicPartition],
    generation: Option<i32>,
) -> MemberSubscription {
    MemberSubscription {
        member_id: id.into(),
        group_instance_id: None,
        subscription: subscription.iter().map(|t| t.to_string()).collect(),
        owned_partitions: owned.to_vec(),
        generation,
    }
}

/// The next rebalance's input: every member owns what `previous` gave it, at `generation`.
fn rejoin(
    members: &[MemberSubscription],
    previous: &Assignment,
    generation: i32,
) -> Vec<MemberSubscription> {
    members
        .iter()
        .map(|m| MemberSubscription {
            owned_partitions: previous.get(&m.member_id).cloned().unwrap_or_default(),
            generation: Some(generation),
            ..m.clone()
        })
        .collect()
}

/// `AbstractStickyAssignorTest.verifyValidityAndBalance`: nothing assigned twice or outside the
/// subscriptions, and members whose counts differ by more than one share no topic.
fn verify(topics: &SmallMap<String, u32>, members: &[MemberSubscription], a: &Assignment) -> Facts {
    assert_eq!(a.len(), members.len(), "every member has an entry: {a:?}");
    let facts = compute(topics, members, a);
    assert!(
        facts.no_duplicates,
        "duplicates or unknown partitions: {a:?}"
    );
    assert!(facts.subscribed_only, "unsubscribed partitions: {a:?}");
    assert!(facts.balance_rule, "unbalanced: {a:?}");
    facts
}

/// Eager: also complete.
fn verify_complete(
    topics: &SmallMap<String, u32>,
    members: &[MemberSubscription],
    a: &Assignment,
) -> Facts {
    let facts = verify(topics, members, a);
    assert!(facts.complete, "unassigned {:?} in {a:?}", facts.unassigned);
    facts
}

/// `CooperativeStickyAssignorTest.verifyValidityAndBalance`: no partition is handed over in the
/// round that revokes it; members rejoin until nothing is revoked (at most 4 rounds), and the
/// final assignment is complete and valid. Returns it.
fn cooperative_rounds(
    topics: &SmallMap<String, u32>,
    members: &[MemberSubscription],
    mut generation: i32,
) -> Assignment {
    let mut members = members.to_vec();
    let mut a = assign(topics, &members, COOPERATIVE);
    for _ in 0..4 {
        let facts = verify(topics, &members, &a);
        assert!(facts.cooperative_safe, "handed over while revoked: {a:?}");
        if facts.revoked == 0 {
            verify_complete(topics, &members, &a);
            return a;
        }
        generation += 1;
        members = rejoin(&members, &a, generation);
        a = assign(topics, &members, COOPERATIVE);
    }
    panic!("still revoking after 4 rounds: {a:?}");
}

fn partitions(a: &Assignment, member: &str) -> Vec<TopicPartition> {
    a[&member.to_string()].clone()
}

/// AbstractStickyAssignorTest.testOneConsumerNoTopic / testOneConsumerNonexistentTopic
#[test]
fn member_without_assignable_topics_gets_an_empty_entry() {
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&topics(&[]), &[fresh("consumer", &[])], cooperative);
        assert_eq!(a, Assignment::from_iter([("consumer".into(), vec![])]));
        let a = assign(
            &topics(&[("topic", 0)]),
            &[fresh("consumer", &["topic"])],
            cooperative,
        );
        assert_eq!(a, Assignment::from_iter([("consumer".into(), vec![])]));
    }
}

/// AbstractStickyAssignorTest.testOneConsumerMultipleTopics and
/// testOnlyAssignsPartitionsFromSubscribedTopics
#[test]
fn single_member_gets_every_subscribed_partition_and_drops_stale_claims() {
    let t = topics(&[("topic1", 1), ("topic2", 2)]);
    let a = assign(&t, &[fresh("consumer", &["topic1", "topic2"])], EAGER);
    assert_eq!(
        partitions(&a, "consumer"),
        vec![tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
    );

    let t = topics(&[("topic", 2)]);
    let owned = [
        tp("topic", 0),
        tp("topic", 1),
        tp("other", 0),
        tp("other", 1),
    ];
    let m = [owning("consumer", &["topic"], &owned, Some(1))];
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&t, &m, cooperative);
        assert_eq!(
            partitions(&a, "consumer"),
            vec![tp("topic", 0), tp("topic", 1)]
        );
    }
}

/// AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions (constrained algorithm:
/// unowned partitions dealt round robin over sorted members)
#[test]
fn identical_subscriptions_deal_partitions_round_robin() {
    let t = topics(&[("topic1", 3), ("topic2", 3)]);
    let m = [
        fresh("consumer2", &["topic1", "topic2"]),
        fresh("consumer1", &["topic1", "topic2"]),
    ];
    let a = assign(&t, &m, EAGER);
    assert_eq!(
        partitions(&a, "consumer1"),
        vec![tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        partitions(&a, "consumer2"),
        vec![tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

/// AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions (general algorithm:
/// topics with fewer candidates first, each partition to the least-loaded member)
#[test]
fn mixed_subscriptions_fill_the_least_loaded_member() {
    let t = topics(&[("topic1", 3), ("topic2", 2)]);
    let m = [
        fresh("consumer1", &["topic1"]),
        fresh("consumer2", &["topic1", "topic2"]),
        fresh("consumer3", &["topic1"]),
    ];
    let a = assign(&t, &m, EAGER);
    assert_eq!(
        partitions(&a, "consumer1"),
        vec![tp("topic1", 0), tp("topic1", 2)]
    );
    assert_eq!(
        partitions(&a, "consumer2"),
        vec![tp("topic2", 0), tp("topic2", 1)]
    );
    assert_eq!(partitions(&a, "consumer3"), vec![tp("topic1", 1)]);
    verify_complete(&t, &m, &a);
}

/// AbstractStickyAssignorTest.testConsumerOwningMinQuotaExpectedMaxQuota
#[test]
fn member_at_min_quota_is_topped_up_to_max_quota() {
    let t = topics(&[("topic1", 2), ("topic2", 3)]);
    let subs = ["topic1", "topic2"];
    let m = [
        owning(
            "consumer1",
            &subs,
            &[tp("topic1", 0), tp("topic2", 1)],
            Some(1),
        ),
        owning(
            "consumer2",
            &subs,
            &[tp("topic1", 1), tp("topic2", 2)],
            Some(1),
        ),
    ];
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&t, &m, cooperative);
        assert_eq!(
            partitions(&a, "consumer1"),
            vec![tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
        );
        assert_eq!(
            partitions(&a, "consumer2"),
            vec![tp("topic1", 1), tp("topic2", 2)]
        );
    }
}

/// AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers. Which
/// of the two full members keeps both partitions depends on Java's `HashMap` order, which
/// visits consumer2 before consumer1; so consumer1 gives up topic2-0.
#[test]
fn only_as_many_members_as_expected_keep_max_quota() {
    let t = topics(&[("topic1", 2), ("topic2", 2)]);
    let subs = ["topic1", "topic2"];
    let m = [
        owning(
            "consumer1",
            &subs,
            &[tp("topic1", 0), tp("topic2", 0)],
            Some(1),
        ),
        owning(
            "consumer2",
            &subs,
            &[tp("topic1", 1), tp("topic2", 1)],
            Some(1),
        ),
        owning("consumer3", &subs, &[], Some(1)),
    ];
    let a = assign(&t, &m, EAGER);
    assert_eq!(partitions(&a, "consumer1"), vec![tp("topic1", 0)]);
    assert_eq!(
        partitions(&a, "consumer2"),
        vec![tp("topic1", 1), tp("topic2", 1)]
    );
    assert_eq!(partitions(&a, "consumer3"), vec![tp("topic2", 0)]);
    let facts = verify_complete(&t, &m, &a);
    assert!(facts.fully_balanced);
    assert_eq!(facts.moved, 1);

    // Cooperative: the moving partition is withheld until consumer1 has revoked it.
    let a = assign(&t, &m, COOPERATIVE);
    assert!(a[&"consumer3".to_string()].is_empty());
    cooperative_rounds(&t, &m, 1);
}

/// AbstractStickyAssignorTest.testAllConsumersAreUnderMinQuota
#[test]
fn members_under_min_quota_keep_everything_and_are_filled_in_id_order() {
    let t = topics(&[("topic1", 2), ("topic2", 3)]);
    let subs = ["topic1", "topic2"];
    let m = [
        owning("consumer1", &subs, &[tp("topic1", 0)], Some(1)),
        owning("consumer2", &subs, &[tp("topic1", 1)], Some(1)),
        owning("consumer3", &subs, &[], Some(1)),
    ];
    let a = assign(&t, &m, COOPERATIVE);
    assert_eq!(
        partitions(&a, "consumer1"),
        vec![tp("topic1", 0), tp("topic2", 1)]
    );
    assert_eq!(
        partitions(&a, "consumer2"),
        vec![tp("topic1", 1), tp("topic2", 2)]
    );
    assert_eq!(partitions(&a, "consumer3"), vec![tp("topic2", 0)]);
}

/// AbstractStickyAssignorTest.testAllConsumersReachExpectedQuotaAndAreConsideredFilled
#[test]
fn members_already_at_quota_keep_their_partitions() {
    let t = topics(&[("topic", 4)]);
    let m = [
        owning(
            "consumer1",
            &["topic"],
            &[tp("topic", 0), tp("topic", 1)],
            Some(1),
        ),
        owning("consumer2", &["topic"], &[tp("topic", 2)], Some(1)),
        owning("consumer3", &["topic"], &[], Some(1)),
    ];
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&t, &m, cooperative);
        assert_eq!(
            partitions(&a, "consumer1"),
            vec![tp("topic", 0), tp("topic", 1)]
        );
        assert_eq!(partitions(&a, "consumer2"), vec![tp("topic", 2)]);
        assert_eq!(partitions(&a, "consumer3"), vec![tp("topic", 3)]);
    }
}

/// AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic
#[test]
fn adding_then_removing_a_member_moves_only_what_balance_needs() {
    let t = topics(&[("topic", 3)]);
    let one = [fresh("consumer1", &["topic"])];
    let a = assign(&t, &one, EAGER);
    assert_eq!(a[&"consumer1".to_string()].len(), 3);

    let two = [
        owning(
            "consumer1",
            &["topic"],
            &a[&"consumer1".to_string()],
            Some(1),
        ),
        owning("consumer2", &["topic"], &[], Some(1)),
    ];
    let a = assign(&t, &two, EAGER);
    assert_eq!(
        partitions(&a, "consumer1"),
        vec![tp("topic", 0), tp("topic", 1)]
    );
    assert_eq!(partitions(&a, "consumer2"), vec![tp("topic", 2)]);
    // Cooperative round 1 withholds topic-2 from consumer2 until consumer1 revoked it.
    let coop = assign(&t, &two, COOPERATIVE);
    assert!(coop[&"consumer2".to_string()].is_empty());

    let last = [owning(
        "consumer2",
        &["topic"],
        &a[&"consumer2".to_string()],
        Some(1),
    )];
    let a = assign(&t, &last, EAGER);
    assert_eq!(
        partitions(&a, "consumer2"),
        vec![tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
}

/// AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics
#[test]
fn two_members_join_then_the_original_two_leave() {
    let t = topics(&[("topic1", 3), ("topic2", 4)]);
    let all = ["topic1", "topic2"];
    let m = [fresh("consumer1", &all), fresh("consumer2", &all)];
    let a = assign(&t, &m, EAGER);
    assert_eq!(
        partitions(&a, "consumer1"),
        vec![
            tp("topic1", 0),
            tp("topic1", 2),
            tp("topic2", 1),
            tp("topic2", 3)
        ]
    );
    assert_eq!(
        partitions(&a, "consumer2"),
        vec![tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );

    let mut four = rejoin(&m, &a, 1);
    four.push(owning("consumer3", &all, &[], Some(1)));
    four.push(owning("consumer4", &all, &[], Some(1)));
    let a = assign(&t, &four, EAGER);
    assert_eq!(
        partitions(&a, "consumer1"),
        vec![tp("topic1", 0), tp("topic2", 1)]
    );
    assert_eq!(
        partitions(&a, "consumer2"),
        vec![tp("topic1", 1), tp("topic2", 0)]
    );
    assert_eq!(
        partitions(&a, "consumer3"),
        vec![tp("topic1", 2), tp("topic2", 3)]
    );
    assert_eq!(partitions(&a, "consumer4"), vec![tp("topic2", 2)]);
    cooperative_rounds(&t, &four, 1);

    let two = rejoin(&four[2..], &a, 1);
    let a = assign(&t, &two, EAGER);
    assert_eq!(
        partitions(&a, "consumer3"),
        vec![
            tp("topic1", 0),
            tp("topic1", 2),
            tp("topic2", 1),
            tp("topic2", 3)
        ]
    );
    assert_eq!(
        partitions(&a, "consumer4"),
        vec![tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

/// AbstractStickyAssignorTest.testPoorRoundRobinAssignmentScenario
#[test]
fn uneven_subscriptions_still_balance() {
    let t = topics(&[
        ("topic1", 2),
        ("topic2", 1),
        ("topic3", 2),
        ("topic4", 1),
        ("topic5", 2),
    ]);
    let all = ["topic1", "topic2", "topic3", "topic4", "topic5"];
    let odd = ["topic1", "topic3", "topic5"];
    let m = [
        fresh("consumer1", &all),
        fresh("consumer2", &odd),
        fresh("consumer3", &odd),
        fresh("consumer4", &all),
    ];
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&t, &m, cooperative);
        assert!(verify_complete(&t, &m, &a).fully_balanced);
    }
}

/// AbstractStickyAssignorTest.testReassignmentAfterOneConsumerLeaves: 19 topics, member i
/// subscribes to topics 1..=i; after one leaves, the rest keep what they had.
#[test]
fn survivors_keep_their_partitions_when_a_member_leaves() {
    let name = |prefix: &str, i: u32| format!("{prefix}{i:02}");
    let t: SmallMap<String, u32> = (1..20).map(|i| (name("topic", i), i)).collect();
    let m: Vec<MemberSubscription> = (1..20)
        .map(|i| {
            let subs: Vec<String> = (1..=i).map(|j| name("topic", j)).collect();
            let subs: Vec<&str> = subs.iter().map(String::as_str).collect();
            fresh(&name("consumer", i), &subs)
        })
        .collect();
    let first = assign(&t, &m, EAGER);
    verify_complete(&t, &m, &first);

    let mut next = rejoin(&m, &first, 1);
    next.retain(|m| m.member_id != "consumer10");
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&t, &next, cooperative);
        verify(&t, &next, &a);
        for member in &next {
            for p in &member.owned_partitions {
                assert!(
                    a[&member.member_id].contains(p),
                    "{} lost {p:?}",
                    member.member_id
                );
            }
        }
    }
    let a = assign(&t, &next, EAGER);
    verify_complete(&t, &next, &a);
    cooperative_rounds(&t, &next, 1);
}

/// AbstractStickyAssignorTest.testStickiness
#[test]
fn removing_the_first_member_keeps_every_other_assignment() {
    let t = topics(&[("topic1", 3)]);
    let m: Vec<MemberSubscription> = (1..=4)
        .map(|i| fresh(&format!("consumer{i}"), &["topic1"]))
        .collect();
    let first = assign(&t, &m, EAGER);
    assert!(first.values().all(|p| p.len() <= 1));

    let rest = rejoin(&m[1..], &first, 1);
    let a = assign(&t, &rest, EAGER);
    for member in &rest {
        assert_eq!(a[&member.member_id].len(), 1);
        if let Some(p) = first[&member.member_id].first() {
            assert_eq!(&a[&member.member_id][0], p, "{} moved", member.member_id);
        }
    }
}

/// AbstractStickyAssignorTest.testAssignmentUpdatedForDeletedTopic and
/// testNoExceptionThrownWhenOnlySubscribedTopicDeleted
#[test]
fn deleted_topics_are_ignored() {
    let t = topics(&[("topic1", 1), ("topic3", 100)]);
    let m = [fresh("consumer", &["topic1", "topic2", "topic3"])];
    assert_eq!(assign(&t, &m, EAGER)[&"consumer".to_string()].len(), 101);

    let owned: Vec<TopicPartition> = (0..3).map(|p| tp("topic", p)).collect();
    let m = [owning("consumer", &["topic"], &owned, Some(1))];
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&topics(&[]), &m, cooperative);
        assert_eq!(a, Assignment::from_iter([("consumer".into(), vec![])]));
    }
}

/// AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration
/// and testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration
#[test]
fn stale_or_unknown_generation_loses_its_claims() {
    let t = topics(&[("topic", 3), ("topic2", 3)]);
    let subs = ["topic", "topic2"];
    let claimed = [tp("topic", 0), tp("topic", 2), tp("topic2", 1)];
    for stale in [Some(9), Some(-1), None] {
        let m = [
            owning("consumer1", &subs, &claimed, Some(10)),
            owning("consumer2", &subs, &claimed, stale),
        ];
        for cooperative in [EAGER, COOPERATIVE] {
            let a = assign(&t, &m, cooperative);
            assert_eq!(partitions(&a, "consumer1"), claimed.to_vec());
            assert_eq!(
                partitions(&a, "consumer2"),
                vec![tp("topic", 1), tp("topic2", 0), tp("topic2", 2)]
            );
        }
    }
}

/// AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration
#[test]
fn higher_generation_keeps_a_partition_claimed_twice() {
    let t = topics(&[("topic", 3), ("topic2", 3)]);
    let subs = ["topic", "topic2"];
    let m = [
        owning(
            "consumer1",
            &subs,
            &[tp("topic", 0), tp("topic2", 1), tp("topic", 1)],
            Some(10),
        ),
        owning(
            "consumer2",
            &subs,
            &[tp("topic", 0), tp("topic2", 1), tp("topic2", 2)],
            Some(8),
        ),
    ];
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&t, &m, cooperative);
        assert_eq!(
            partitions(&a, "consumer1"),
            vec![tp("topic", 0), tp("topic", 1), tp("topic2", 1)]
        );
        assert_eq!(
            partitions(&a, "consumer2"),
            vec![tp("topic", 2), tp("topic2", 0), tp("topic2", 2)]
        );
    }
}

/// AbstractStickyAssignorTest.testEnsurePartitionsAssignedToHighestGeneration
#[test]
fn partitions_go_to_the_highest_generation_claimant() {
    let t = topics(&[("topic", 3), ("topic2", 3), ("topic3", 3)]);
    let subs = ["topic", "topic2", "topic3"];
    let m = [
        owning(
            "consumer1",
            &subs,
            &[tp("topic", 0), tp("topic2", 0), tp("topic3", 0)],
            Some(10),
        ),
        owning(
            "consumer2",
            &subs,
            &[tp("topic", 1), tp("topic2", 1), tp("topic3", 1)],
            Some(9),
        ),
        owning(
            "consumer3",
            &subs,
            &[tp("topic2", 1), tp("topic3", 0), tp("topic3", 2)],
            Some(8),
        ),
    ];
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&t, &m, cooperative);
        for (member, p) in [("consumer1", 0), ("consumer2", 1), ("consumer3", 2)] {
            let expected = vec![tp("topic", p), tp("topic2", p), tp("topic3", p)];
            assert_eq!(partitions(&a, member), expected, "{member}");
        }
    }
}

/// AbstractStickyAssignorTest.testNoReassignmentOnCurrentMembers
#[test]
fn a_new_member_takes_only_unowned_partitions() {
    let t = topics(&[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)]);
    let subs = ["topic", "topic2", "topic3", "topic1"];
    let m = [
        owning("consumer1", &subs, &[], Some(-1)),
        owning(
            "consumer2",
            &subs,
            &[tp("topic", 0), tp("topic2", 0), tp("topic1", 0)],
            Some(9),
        ),
        owning(
            "consumer3",
            &subs,
            &[tp("topic3", 2), tp("topic2", 2), tp("topic1", 1)],
            Some(8),
        ),
        owning(
            "consumer4",
            &subs,
            &[tp("topic3", 1), tp("topic", 1), tp("topic", 2)],
            Some(7),
        ),
    ];
    for cooperative in [EAGER, COOPERATIVE] {
        let a = assign(&t, &m, cooperative);
        assert_eq!(
            partitions(&a, "consumer1"),
            vec![tp("topic1", 2), tp("topic2", 1), tp("topic3", 0)]
        );
        assert!(verify_complete(&t, &m, &a).fully_balanced);
    }
}

/// AbstractStickyAssignorTest.testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration,
/// StickyAssignorTest and CooperativeStickyAssignorTest
/// .testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer
#[test]
fn equal_generation_double_claim_is_reassigned_eagerly_and_withheld_cooperatively() {
    let t = topics(&[("topic", 3)]);
    let m = [
        owning(
            "consumer1",
            &["topic"],
            &[tp("topic", 0), tp("topic", 1)],
            Some(1),
        ),
        owning(
            "consumer2",
            &["topic"],
            &[tp("topic", 0), tp("topic", 2)],
            Some(1),
        ),
        owning("consumer3", &["topic"], &[], Some(1)),
    ];
    let eager = assign(&t, &m, EAGER);
    assert_eq!(partitions(&eager, "consumer1"), vec![tp("topic", 1)]);
    assert_eq!(partitions(&eager, "consumer2"), vec![tp("topic", 2)]);
    assert_eq!(partitions(&eager, "consumer3"), vec![tp("topic", 0)]);

    let coop = assign(&t, &m, COOPERATIVE);
    assert_eq!(partitions(&coop, "consumer1"), vec![tp("topic", 1)]);
    assert_eq!(partitions(&coop, "consumer2"), vec![tp("topic", 2)]);
    assert!(coop[&"consumer3".to_string()].is_empty());
    let last = cooperative_rounds(&t, &m, 1);
    assert_eq!(partitions(&last, "consumer3"), vec![tp("topic", 0)]);
}

/// StickyAssignorTest and CooperativeStickyAssignorTest
/// .testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer
#[test]
fn equal_generation_double_claim_with_an_extra_partition() {
    let t = topics(&[("topic", 4)]);
    let m = [
        owning(
            "consumer1",
            &["topic"],
            &[tp("topic", 0), tp("topic", 1)],
            Some(1),
        ),
        owning(
            "consumer2",
            &["topic"],
            &[tp("topic", 0), tp("topic", 2)],
            Some(1),
        ),
        owning("consumer3", &["topic"], &[], Some(1)),
    ];
    let eager = assign(&t, &m, EAGER);
    assert_eq!(
        partitions(&eager, "consumer1"),
        vec![tp("topic", 1), tp("topic", 3)]
    );
    assert_eq!(partitions(&eager, "consumer2"), vec![tp("topic", 2)]);
    assert_eq!(partitions(&eager, "consumer3"), vec![tp("topic", 0)]);
    let coop = assign(&t, &m, COOPERATIVE);
    assert!(coop[&"consumer3".to_string()].is_empty());
    assert_eq!(
        coop[&"consumer1".to_string()],
        eager[&"consumer1".to_string()]
    );
}

/// StickyAssignorTest.testAssignmentWithMultipleGenerations1 (both subscription variants)
#[test]
fn a_member_returning_with_an_older_generation_gets_its_partitions_back() {
    let t = topics(&[("topic", 6), ("topic2", 6)]);
    let all = ["topic", "topic2"];
    for c2_subs in [&all[..], &all[..1]] {
        let m = [
            fresh("consumer1", &all),
            fresh("consumer2", c2_subs),
            fresh("consumer3", &all),
        ];
        let r1 = assign(&t, &m, EAGER);
        assert!(r1.values().all(|p| p.len() == 4), "{r1:?}");

        let two = rejoin(&m[..2], &r1, 1);
        let r2 = assign(&t, &two, EAGER);
        assert!(r2.values().all(|p| p.len() == 6), "{r2:?}");
        assert!(r1[&"consumer2".to_string()]
            .iter()
            .all(|p| r2[&"consumer2".to_string()].contains(p)));
        verify_complete(&t, &two, &r2);

        // consumer1 leaves; consumer3 comes back claiming its generation-1 partitions.
        let three = [
            owning("consumer2", c2_subs, &r2[&"consumer2".to_string()], Some(2)),
            owning("consumer3", &all, &r1[&"consumer3".to_string()], Some(1)),
        ];
        let r3 = assign(&t, &three, EAGER);
        assert!(r3.values().all(|p| p.len() == 6), "{r3:?}");
        verify_complete(&t, &three, &r3);
        cooperative_rounds(&t, &three, 2);
    }
}

/// StickyAssignorTest.testAssignmentWithConflictingPreviousGenerations (both variants)
#[test]
fn conflicting_previous_generations_resolve_to_the_newest() {
    let t = topics(&[("topic", 4), ("topic2", 4), ("topic3", 4)]);
    let all = ["topic", "topic2", "topic3"];
    for equal in [true, false] {
        let c1_subs: &[&str] = if equal { &all } else { &all[..1] };
        let c2_subs: &[&str] = if equal { &all } else { &all[..2] };
        let c1_owned = if equal {
            vec![
                tp("topic", 0),
                tp("topic", 1),
                tp("topic", 2),
                tp("topic2", 2),
                tp("topic2", 3),
                tp("topic3", 0),
            ]
        } else {
            (0..4).map(|p| tp("topic", p)).collect()
        };
        let c2_owned = [
            tp("topic", 0),
            tp("topic", 1),
            tp("topic2", 0),
            tp("topic2", 1),
            tp("topic2", 2),
            tp("topic2", 3),
        ];
        let c3_owned = [
            tp("topic", 2),
            tp("topic", 3),
            tp("topic3", 0),
            tp("topic3", 1),
            tp("topic3", 2),
            tp("topic3", 3),
        ];
        let m = [
            owning("consumer1", c1_subs, &c1_owned, Some(1)),
            owning("consumer2", c2_subs, &c2_owned, Some(2)),
            owning("consumer3", &all, &c3_owned, Some(2)),
        ];
        let a = assign(&t, &m, EAGER);
        assert!(a.values().all(|p| p.len() == 4), "{a:?}");
        assert!(a[&"consumer2".to_string()]
            .iter()
            .all(|p| c2_owned.contains(p)));
        assert!(a[&"consumer3".to_string()]
            .iter()
            .all(|p| c3_owned.contains(p)));
        verify_complete(&t, &m, &a);
    }
}

/// AbstractStickyAssignorTest.testSubscriptionNotEqualAndAssignSamePartitionWith3Generation
#[test]
fn three_generations_claiming_one_partition_in_any_order() {
    let t = topics(&[("topic", 6), ("topic1", 1)]);
    let orders = [
        [1, 2, 3],
        [1, 3, 2],
        [2, 1, 3],
        [2, 3, 1],
        [3, 1, 2],
        [3, 2, 1],
    ];
    for g in orders {
        let m = [
            owning(
                "consumer1",
                &["topic"],
                &[tp("topic", 0), tp("topic", 2)],
                Some(g[0]),
            ),
            owning(
                "consumer2",
                &["topic"],
                &[tp("topic", 1), tp("topic", 2), tp("topic", 3)],
                Some(g[1]),
            ),
            owning(
                "consumer3",
                &["topic"],
                &[tp("topic", 2), tp("topic", 4), tp("topic", 5)],
                Some(g[2]),
            ),
            owning("consumer4", &["topic1"], &[tp("topic1", 0)], Some(2)),
        ];
        let a = assign(&t, &m, EAGER);
        verify_complete(&t, &m, &a);
        assert!(
            a.values().all(|p| (1..=2).contains(&p.len())),
            "{g:?}: {a:?}"
        );
    }
}

/// CooperativeStickyAssignorTest.verifyValidityAndBalance over
/// AbstractStickyAssignorTest.testReassignmentAfterOneConsumerAdded: a joining member gets its
/// share only after the owners revoked it, and the group settles in two rounds.
#[test]
fn cooperative_join_settles_in_a_second_round() {
    let t = topics(&[("topic", 20)]);
    let mut m: Vec<MemberSubscription> = (1..10)
        .map(|i| fresh(&format!("consumer{i:02}"), &["topic"]))
        .collect();
    let first = assign(&t, &m, COOPERATIVE);
    verify_complete(&t, &m, &first);
    m = rejoin(&m, &first, 1);
    m.push(owning("consumer10", &["topic"], &[], Some(1)));
    let round1 = assign(&t, &m, COOPERATIVE);
    assert!(round1[&"consumer10".to_string()].is_empty());
    let last = cooperative_rounds(&t, &m, 1);
    assert_eq!(last[&"consumer10".to_string()].len(), 2);
}

/// AbstractStickyAssignorTest.testLargeAssignmentAndGroupWithUniformSubscription, scaled down
/// from a million partitions so the debug build stays quick.
#[test]
fn large_uniform_group() {
    let t: SmallMap<String, u32> = (0..50).map(|i| (format!("topic-{i}"), 200)).collect();
    let subs: Vec<&str> = t.keys().map(String::as_str).collect();
    let m: Vec<MemberSubscription> = (0..300)
        .map(|i| fresh(&format!("consumer-{i}"), &subs))
        .collect();
    let a = assign(&t, &m, EAGER);
    assert!(verify_complete(&t, &m, &a).fully_balanced);
    let mut next = rejoin(&m, &a, 1);
    next.truncate(299);
    let b = assign(&t, &next, EAGER);
    let facts = verify_complete(&t, &next, &b);
    assert!(facts.fully_balanced);
    // Only the leaver's partitions move.
    assert_eq!(facts.moved, 0);
}

/// Kafka feeds the assignor a `HashMap` of members: JoinGroup order only matters between
/// members whose ids share a hash bucket, which these do not.
#[test]
fn input_order_does_not_matter() {
    let t = topics(&[("a", 5), ("b", 3), ("c", 4)]);
    let m = vec![
        owning("m3", &["a", "b"], &[tp("a", 0), tp("b", 1)], Some(2)),
        owning(
            "m1",
            &["a", "c"],
            &[tp("c", 0), tp("a", 1), tp("a", 2)],
            Some(2),
        ),
        owning("m10", &["b", "c"], &[tp("b", 1)], Some(1)),
        fresh("m2", &["a", "b", "c"]),
    ];
    for cooperative in [EAGER, COOPERATIVE] {
        let expected = assign(&t, &m, cooperative);
        let mut reversed = m.clone();
        reversed.reverse();
        assert_eq!(assign(&t, &reversed, cooperative), expected);
        let mut rotated = m.clone();
        rotated.rotate_left(1);
        assert_eq!(assign(&t, &rotated, cooperative), expected);
    }
}

/// A Kafka quirk the port keeps (checked against Kafka's classes): the general algorithm moves a
/// partition back to its previous-generation owner when that helps balance, without checking that
/// the owner still subscribes to its topic. Real clients revoke partitions of topics they drop
/// before rejoining, so they never list them.
#[test]
fn previous_owner_gets_a_partition_back_even_after_unsubscribing() {
    let t = topics(&[("t0", 4), ("t2", 3)]);
    let m = [
        owning(
            "c1",
            &["t0", "t2"],
            &[
                tp("t0", 0),
                tp("t0", 1),
                tp("t0", 2),
                tp("t2", 0),
                tp("t2", 1),
            ],
            Some(2),
        ),
        owning("c2", &["t0", "t2"], &[tp("t0", 3), tp("t2", 2)], Some(2)),
        owning("c3", &["t2"], &[tp("t0", 0), tp("t0", 1)], Some(1)),
    ];
    let a = assign(&t, &m, EAGER);
    assert_eq!(
        partitions(&a, "c1"),
        vec![tp("t0", 2), tp("t2", 0), tp("t2", 1)]
    );
    assert_eq!(partitions(&a, "c2"), vec![tp("t0", 3), tp("t2", 2)]);
    assert_eq!(partitions(&a, "c3"), vec![tp("t0", 0), tp("t0", 1)]);
    assert!(!compute(&t, &m, &a).subscribed_only);
}

/// A Kafka quirk the port keeps (checked against Kafka's classes): subscriptions are compared
/// with the first non-empty one in `HashMap` order, so a member subscribing to nothing that comes
/// earlier is taken for an identical subscriber and given partitions; one that comes later is not.
#[test]
fn empty_subscription_is_ignored_only_before_the_first_non_empty_one() {
    let t = topics(&[("t", 4)]);
    // "a" iterates before "b" and "c": the constrained algorithm runs and deals to all three.
    let m = [fresh("a", &[]), fresh("b", &["t"]), fresh("c", &["t"])];
    let a = assign(&t, &m, EAGER);
    assert_eq!(partitions(&a, "a"), vec![tp("t", 0), tp("t", 3)]);
    assert_eq!(partitions(&a, "b"), vec![tp("t", 1)]);
    assert_eq!(partitions(&a, "c"), vec![tp("t", 2)]);
    // "C" iterates after them: subscriptions differ and the general algorithm skips it.
    let m = [fresh("C", &[]), fresh("b", &["t"]), fresh("c", &["t"])];
    let a = assign(&t, &m, EAGER);
    assert!(a[&"C".to_string()].is_empty());
    assert_eq!(partitions(&a, "b"), vec![tp("t", 0), tp("t", 2)]);
    assert_eq!(partitions(&a, "c"), vec![tp("t", 1), tp("t", 3)]);
}
