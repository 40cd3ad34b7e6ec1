//! `/` and `/explore`: campaigns and requests, searched, filtered and paged.
//!
//! Both lists are asked for at once. With `kind=campaigns` (or `requests`)
//! the page shows one list, and `cursor` pages through it: each API has its
//! own cursor, so paging is always within one kind.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

use super::cards::{CampaignCard, RequestCard};
use super::render;
use crate::api::{Failure, ListQuery, Page};
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// Cards per list on a page.
const PAGE_SIZE: u32 = 12;
/// Longer search words are cut: no search needs more.
const MAX_TEXT: usize = 200;

/// The query string as typed; anything unknown falls back to the default.
#[derive(Debug, Default, Deserialize)]
pub struct ExploreParams {
    q: Option<String>,
    category: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Both,
    Campaigns,
    Requests,
}

/// One status filter for both kinds: each API names its states its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusFilter {
    /// Still taking gifts: active campaigns, open requests.
    Open,
    /// Done: completed campaigns, fulfilled requests.
    Done,
    Any,
}

impl StatusFilter {
    fn campaign_status(self) -> Option<&'static str> {
        match self {
            StatusFilter::Open => Some("active"),
            StatusFilter::Done => Some("completed"),
            StatusFilter::Any => None,
        }
    }

    fn request_status(self) -> Option<&'static str> {
        match self {
            StatusFilter::Open => Some("open"),
            StatusFilter::Done => Some("fulfilled"),
            StatusFilter::Any => None,
        }
    }

    fn value(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::Done => "done",
            StatusFilter::Any => "all",
        }
    }
}

/// The search, read and bounded.
#[derive(Debug)]
struct Search {
    q: Option<String>,
    category: Option<String>,
    status: StatusFilter,
    kind: Kind,
    cursor: Option<String>,
}

impl Search {
    fn from_params(params: ExploreParams) -> Self {
        let kind = match params.kind.as_deref() {
            Some("campaigns") => Kind::Campaigns,
            Some("requests") => Kind::Requests,
            _ => Kind::Both,
        };
        Self {
            q: text(params.q),
            category: text(params.category),
            status: match params.status.as_deref() {
                Some("done") => StatusFilter::Done,
                Some("all") => StatusFilter::Any,
                _ => StatusFilter::Open,
            },
            // A cursor belongs to one list; with both shown it means nothing.
            cursor: params
                .cursor
                .filter(|c| !c.is_empty() && kind != Kind::Both),
            kind,
        }
    }

    /// The URL of the next page of one list.
    fn next_page(&self, kind: &str, cursor: &str) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(q) = &self.q {
            query.append_pair("q", q);
        }
        if let Some(category) = &self.category {
            query.append_pair("category", category);
        }
        query.append_pair("status", self.status.value());
        query.append_pair("kind", kind);
        query.append_pair("cursor", cursor);
        format!("/explore?{}", query.finish())
    }
}

/// Trimmed, at most [`MAX_TEXT`] characters, and absent when empty.
fn text(raw: Option<String>) -> Option<String> {
    let trimmed = raw?.trim().chars().take(MAX_TEXT).collect::<String>();
    (!trimmed.is_empty()).then_some(trimmed)
}

#[derive(Template)]
#[template(path = "explore.html")]
struct ExplorePage {
    layout: Layout,
    heading: &'static str,
    q: String,
    category: String,
    status: &'static str,
    kind: &'static str,
    show_campaigns: bool,
    show_requests: bool,
    campaigns: Option<Vec<CampaignCard>>,
    requests: Option<Vec<RequestCard>>,
    more_campaigns: Option<String>,
    more_requests: Option<String>,
}

/// `GET /`: what is open now.
pub async fn home(state: State<AppState>, viewer: Viewer, csrf: CsrfToken) -> Response {
    explore_page(
        csrf,
        state,
        viewer,
        Search::from_params(ExploreParams::default()),
        "Find a cause to give to",
    )
    .await
}

/// `GET /explore?q=&category=&status=&kind=&cursor=`.
pub async fn explore(
    state: State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    params: Result<Query<ExploreParams>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    explore_page(csrf, state, viewer, Search::from_params(params), "Explore").await
}

async fn explore_page(
    csrf: CsrfToken,
    State(state): State<AppState>,
    viewer: Viewer,
    search: Search,
    heading: &'static str,
) -> Response {
    let show_campaigns = search.kind != Kind::Requests;
    let show_requests = search.kind != Kind::Campaigns;
    let campaign_query = ListQuery {
        q: search.q.as_deref(),
        category: search.category.as_deref(),
        status: search.status.campaign_status(),
        cursor: search.cursor.as_deref(),
        limit: Some(PAGE_SIZE),
    };
    let request_query = ListQuery {
        q: search.q.as_deref(),
        category: search.category.as_deref(),
        status: search.status.request_status(),
        cursor: search.cursor.as_deref(),
        limit: Some(PAGE_SIZE),
    };
    let (campaigns, requests) = tokio::join!(
        asked(
            show_campaigns,
            state.api.campaigns(&campaign_query, &viewer)
        ),
        asked(show_requests, state.api.requests(&request_query, &viewer)),
    );
    let mut layout = Layout::new(&viewer).with_csrf(&csrf);
    let now = Utc::now();
    let campaigns = campaigns.and_then(|r| layout.or_notice(r));
    let requests = requests.and_then(|r| layout.or_notice(r));
    let page = ExplorePage {
        heading,
        q: search.q.clone().unwrap_or_default(),
        category: search.category.clone().unwrap_or_default(),
        status: search.status.value(),
        kind: match search.kind {
            Kind::Both => "all",
            Kind::Campaigns => "campaigns",
            Kind::Requests => "requests",
        },
        show_campaigns,
        show_requests,
        more_campaigns: campaigns
            .as_ref()
            .and_then(|p| p.next_cursor.as_deref())
            .map(|c| search.next_page("campaigns", c)),
        more_requests: requests
            .as_ref()
            .and_then(|p| p.next_cursor.as_deref())
            .map(|c| search.next_page("requests", c)),
        campaigns: campaigns.map(|p| p.items.iter().map(|c| CampaignCard::new(c, now)).collect()),
        requests: requests.map(|p| p.items.iter().map(|r| RequestCard::new(r, now)).collect()),
        layout,
    };
    render(&page)
}

/// Runs `call` only when its list is shown.
async fn asked<T>(
    shown: bool,
    call: impl std::future::Future<Output = Result<Page<T>, Failure>>,
) -> Option<Result<Page<T>, Failure>> {
    if shown {
        Some(call.await)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(title: &str, image_url: Option<&str>) -> CampaignCard {
        CampaignCard {
            url: "/campaigns/1".to_owned(),
            title: title.to_owned(),
            image_url: image_url.map(str::to_owned),
            status: "Open for donations",
            percent: 40,
            raised: "40.00 USD".to_owned(),
            goal: "100.00 USD".to_owned(),
            donors: "2 donors".to_owned(),
            time_left: "3 days left".to_owned(),
        }
    }

    fn page(cards: Vec<CampaignCard>) -> String {
        ExplorePage {
            layout: Layout::new(&Viewer::Visitor),
            heading: "Explore",
            q: String::new(),
            category: String::new(),
            status: "open",
            kind: "campaigns",
            show_campaigns: true,
            show_requests: false,
            campaigns: Some(cards),
            requests: None,
            more_campaigns: None,
            more_requests: None,
        }
        .render()
        .expect("renders")
    }

    #[test]
    fn a_card_shows_its_image_with_alt_text_or_a_placeholder() {
        let html = page(vec![
            card("Roof", Some(r#"https://img.example/roof.jpg?w=400&h="x""#)),
            card("Well", None),
        ]);
        assert!(
            html.contains(r#"src="https://img.example/roof.jpg?w=400&#38;h=&#34;x&#34;""#),
            "{html}"
        );
        assert!(
            html.contains(r#"alt="Image for the campaign Roof""#),
            "{html}"
        );
        assert!(
            html.contains(r#"aria-label="No image for this campaign""#),
            "{html}"
        );
        assert_eq!(html.matches("<img").count(), 1);
    }

    #[test]
    fn the_search_keeps_what_was_typed_escaped() {
        let params = ExploreParams {
            q: Some(r#"  "><script>x</script>  "#.to_owned()),
            kind: Some("requests".to_owned()),
            cursor: Some("abc".to_owned()),
            ..ExploreParams::default()
        };
        let search = Search::from_params(params);
        assert_eq!(search.q.as_deref(), Some(r#""><script>x</script>"#));
        assert_eq!(search.kind, Kind::Requests);
        assert_eq!(search.cursor.as_deref(), Some("abc"));
        let next = search.next_page("requests", "c/d+e");
        assert_eq!(
            next,
            "/explore?q=%22%3E%3Cscript%3Ex%3C%2Fscript%3E&status=open&kind=requests&cursor=c%2Fd%2Be"
        );
    }

    #[test]
    fn a_cursor_means_nothing_when_both_lists_show() {
        let search = Search::from_params(ExploreParams {
            cursor: Some("abc".to_owned()),
            status: Some("bogus".to_owned()),
            ..ExploreParams::default()
        });
        assert_eq!(search.cursor, None);
        assert_eq!(search.status, StatusFilter::Open);
    }
}
