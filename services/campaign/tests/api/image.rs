//! `image_url`: an optional https link to the campaign's picture, checked
//! like every other field, in every answer and in the events: the tests
//! of `hearth_testkit::image_url`, which requests share.

use hearth_testkit::image_url::{AsPictured, Pictured};

use crate::helpers::TestApp;

impl AsPictured for TestApp {
    fn pictured(&self) -> Pictured<'_> {
        Pictured {
            collection: self.campaigns(),
            db: &self.db,
            kind: "campaign",
            count_sql: "select count(*) from campaign.campaigns",
            store_sql: "update campaign.campaigns set image_url = $2 where id = $1",
            outbox_sql: "select envelope from campaign.outbox order by seq",
        }
    }
}

hearth_testkit::image_url_tests!(TestApp::spawn);
