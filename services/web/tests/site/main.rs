//! The site's tests: web-service in front of the five real services, on
//! databases and a broker namespace of each test's own, reading pages as a
//! browser without JavaScript. One test binary (one link) with a module per
//! concern; `support` starts the site and reads its answers for all of them.

mod support;

mod give;
mod owner;
mod pages;
mod sign_in;
mod supabase;
mod talk;
