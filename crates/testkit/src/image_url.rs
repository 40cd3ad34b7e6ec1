//! The `image_url` contract that campaigns and requests share: an optional
//! https link to the resource's picture, checked like every other field, in
//! every answer and in the events, and refused by the table itself. Each
//! service runs these on its own collection.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::{error_fields, Collection, Person, TestDb};

pub const IMAGE: &str = "https://images.example.org/blankets.jpg";

/// A collection whose resources carry an `image_url`, and where its
/// service keeps them.
#[derive(Debug, Clone, Copy)]
pub struct Pictured<'a> {
    pub collection: Collection<'a>,
    pub db: &'a TestDb,
    /// The kind as the events name it: `campaign` (`campaign.created`,
    /// `campaign_id`).
    pub kind: &'static str,
    /// Counts the stored resources: `select count(*) from campaign.campaigns`.
    pub count_sql: &'static str,
    /// Sets `image_url` to `$2` on the resource `$1`, as an operator's SQL would.
    pub store_sql: &'static str,
    /// Every event in the outbox, oldest first.
    pub outbox_sql: &'static str,
}

/// Links a page must never be given, each with why.
fn unsafe_links() -> Vec<(String, &'static str)> {
    vec![
        ("http://images.example.org/a.jpg".into(), "plain http"),
        ("javascript:alert(1)".into(), "a script"),
        ("data:image/png;base64,AAAA".into(), "inline data"),
        ("https://".into(), "no host"),
        ("/images/a.jpg".into(), "not absolute"),
        ("https://example.org/a b.jpg".into(), "a space"),
        (
            "https://user:secret@example.org/a.jpg".into(),
            "credentials",
        ),
        (
            format!("https://example.org/{}.jpg", "a".repeat(2048)),
            "too long",
        ),
    ]
}

/// The one field error of a 422 that must name `image_url`.
fn assert_names_image_url(problem: &Value, what: &str) {
    let errors = problem["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{what}: {problem}");
    assert_eq!(errors[0]["field"], "image_url", "{what}");
    assert!(errors[0]["message"].is_string(), "{what}");
}

impl Pictured<'_> {
    async fn stored_count(&self) -> i64 {
        self.db.scalar(self.count_sql).await
    }

    async fn outbox(&self) -> Vec<Value> {
        sqlx::query_scalar(self.outbox_sql)
            .fetch_all(&mut self.db.connect().await)
            .await
            .expect("read the outbox")
    }

    /// Writes `link` straight into the table, as an operator's SQL would.
    async fn store(&self, id: Uuid, link: &str) -> sqlx::Result<()> {
        sqlx::query(self.store_sql)
            .bind(id)
            .bind(link)
            .execute(&mut self.db.connect().await)
            .await
            .map(|_| ())
    }

    pub async fn is_created_with_a_picture_and_shows_it_everywhere(&self) {
        let resources = self.collection;
        let owner = Person::user();
        let created = resources.created(&owner, json!({"image_url": IMAGE})).await;
        assert_eq!(created["image_url"], IMAGE);

        let read = resources.get(&created["id"], None).await.expect(200);
        assert_eq!(read["image_url"], IMAGE);
        let page = resources.list("", None).await;
        assert_eq!(page["items"][0]["image_url"], IMAGE);

        let without = resources.created(&owner, json!({})).await;
        assert!(without["image_url"].is_null(), "no picture reads as null");
    }

    pub async fn changes_keeps_and_removes_a_picture_by_patch(&self) {
        let resources = self.collection;
        let owner = Person::user();
        let id = &resources.created(&owner, json!({})).await["id"];

        let set = resources
            .patch(id, &owner, json!({"image_url": IMAGE}))
            .await
            .expect(200);
        assert_eq!(set["image_url"], IMAGE);
        assert_eq!(set["version"], 2);

        let kept = resources
            .patch(id, &owner, json!({"title": "Warm blankets"}))
            .await
            .expect(200);
        assert_eq!(kept["image_url"], IMAGE, "absent leaves it");

        let same = resources
            .patch(id, &owner, json!({"image_url": IMAGE}))
            .await
            .expect(200);
        assert_eq!(same["version"], 3, "the same link changes nothing");

        let cleared = resources
            .patch(id, &owner, json!({"image_url": null}))
            .await
            .expect(200);
        assert!(cleared["image_url"].is_null(), "null removes it");
        let read = resources.get(id, None).await.expect(200);
        assert!(read["image_url"].is_null());
    }

    pub async fn refuses_an_unsafe_link_with_a_422_naming_image_url(&self) {
        let resources = self.collection;
        let owner = Person::user();
        for (link, what) in unsafe_links() {
            let problem = resources
                .create(&owner, json!({"image_url": link}))
                .await
                .assert_problem(422, "validation_failed");
            assert_names_image_url(&problem, what);
        }
        assert_eq!(self.stored_count().await, 0);

        let id = &resources.created(&owner, json!({"image_url": IMAGE})).await["id"];
        for (link, what) in unsafe_links() {
            let problem = resources
                .patch(id, &owner, json!({"image_url": link}))
                .await
                .assert_problem(422, "validation_failed");
            assert_names_image_url(&problem, what);
        }
        let read = resources.get(id, None).await.expect(200);
        assert_eq!(read["image_url"], IMAGE);
        assert_eq!(read["version"], 1);
    }

    pub async fn lists_a_bad_link_with_the_other_bad_fields(&self) {
        let problem = self
            .collection
            .create(
                &Person::user(),
                json!({"title": "", "image_url": "http://example.org/a.jpg"}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(error_fields(&problem), ["image_url", "title"]);
    }

    pub async fn puts_the_picture_in_the_events(&self) {
        let resources = self.collection;
        let owner = Person::user();
        let with = resources.created(&owner, json!({"image_url": IMAGE})).await;
        let without = resources.created(&owner, json!({})).await;
        let other = "https://images.example.org/quilts.png";
        resources
            .patch(&with["id"], &owner, json!({"image_url": other}))
            .await
            .expect(200);
        resources
            .patch(&with["id"], &owner, json!({"image_url": null}))
            .await
            .expect(200);

        let kind = self.kind;
        let id_field = format!("{kind}_id");
        let events = self.outbox().await;
        assert_eq!(events.len(), 4);
        assert_eq!(events[0]["type"], format!("{kind}.created"));
        assert_eq!(events[0]["data"]["image_url"], IMAGE);
        assert_eq!(events[1]["subject"], without["id"]);
        assert!(
            events[1]["data"].get("image_url").is_none(),
            "no picture, no field: {}",
            events[1]["data"]
        );
        assert_eq!(events[2]["type"], format!("{kind}.updated"));
        assert_eq!(
            events[2]["data"],
            json!({id_field.as_str(): with["id"], "changes": {"image_url": other}})
        );
        assert_eq!(
            events[3]["data"],
            json!({id_field.as_str(): with["id"], "changes": {"image_url": null}})
        );
    }

    pub async fn has_a_table_that_refuses_an_unsafe_link_written_around_the_api(&self) {
        let created = self.collection.created(&Person::user(), json!({})).await;
        let id = Uuid::parse_str(created["id"].as_str().expect("id")).expect("uuid");
        for (link, what) in [
            ("http://example.org/a.jpg".to_owned(), "plain http"),
            ("javascript:alert(1)".to_owned(), "a script"),
            (
                "https://user:secret@example.org/a.jpg".to_owned(),
                "credentials",
            ),
            ("https://example.org/a b.jpg".to_owned(), "a space"),
            ("https:///a.jpg".to_owned(), "no host"),
            (
                format!("https://example.org/{}", "a".repeat(2048)),
                "too long",
            ),
        ] {
            let refused = self.store(id, &link).await.expect_err(what);
            assert!(refused.to_string().contains("check"), "{what}: {refused}");
        }
        self.store(id, IMAGE).await.expect("a safe link is stored");
        self.store(id, "https://[::1]:8443/a.jpg?size=2#top")
            .await
            .expect("a host with a port, a query and a fragment is stored");
    }
}

/// The tests above, each on a service of its own: `image_url_tests!(spawn)`
/// in a test module, where `spawn` is an `async fn() -> T` and
/// `T: AsPictured`, gives the service every one of them.
#[macro_export]
macro_rules! image_url_tests {
    ($spawn:path) => {
        $crate::image_url_tests!(@each $spawn,
            is_created_with_a_picture_and_shows_it_everywhere,
            changes_keeps_and_removes_a_picture_by_patch,
            refuses_an_unsafe_link_with_a_422_naming_image_url,
            lists_a_bad_link_with_the_other_bad_fields,
            puts_the_picture_in_the_events,
            has_a_table_that_refuses_an_unsafe_link_written_around_the_api,
        );
    };
    (@each $spawn:path, $($test:ident,)*) => {
        $(
            #[tokio::test]
            async fn $test() {
                let app = $spawn().await;
                $crate::image_url::AsPictured::pictured(&app).$test().await;
            }
        )*
    };
}

/// A running service whose collection carries pictures.
pub trait AsPictured {
    fn pictured(&self) -> Pictured<'_>;
}
