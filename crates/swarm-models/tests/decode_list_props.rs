//! `decode_list` on arbitrary input: it never panics, and for any array it accounts for every
//! element exactly once (an item or a failure, failures in increasing index order).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use proptest::prelude::*;
use swarm_models::{Node, Service, Task, decode_list};

/// JSON values of the shapes a list element can take, good and bad.
fn element() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-zA-Z0-9 :.-]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("ID".to_owned()),
                    Just("Slot".to_owned()),
                    Just("Status".to_owned()),
                    Just("Spec".to_owned()),
                    Just("CreatedAt".to_owned()),
                    "[A-Za-z]{1,8}"
                ],
                inner,
                0..5
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_list::<Task>(&bytes);
        let _ = decode_list::<Service>(&bytes);
        let _ = decode_list::<Node>(&bytes);
    }

    #[test]
    fn every_element_is_an_item_or_a_failure(elements in prop::collection::vec(element(), 0..8)) {
        let body = serde_json::to_vec(&elements).unwrap();
        let listing = decode_list::<Task>(&body).unwrap();
        prop_assert_eq!(listing.items.len() + listing.failures.len(), elements.len());
        let indexes: Vec<usize> = listing.failures.iter().map(|failure| failure.index).collect();
        prop_assert!(indexes.windows(2).all(|pair| pair[0] < pair[1]));
        prop_assert!(indexes.iter().all(|index| *index < elements.len()));
    }
}
