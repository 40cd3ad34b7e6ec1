//! `image_url`: an optional https link to the request's picture, checked
//! like every other field, in every answer and in the events: the tests
//! of `hearth_testkit::image_url`, which campaigns share.

use hearth_testkit::image_url::{AsPictured, Pictured};

use crate::helpers::TestApp;

impl AsPictured for TestApp {
    fn pictured(&self) -> Pictured<'_> {
        Pictured {
            collection: self.requests(),
            db: &self.db,
            kind: "request",
            count_sql: "select count(*) from request.requests",
            store_sql: "update request.requests set image_url = $2 where id = $1",
            outbox_sql: "select envelope from request.outbox order by seq",
        }
    }
}

hearth_testkit::image_url_tests!(TestApp::spawn);
