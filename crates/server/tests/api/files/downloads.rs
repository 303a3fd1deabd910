//! `GET /files/{id}` and its thumbnail: the uploader reads an unattached upload,
//! nobody else; the headers keep a browser from running what it fetched.

use super::{id_of, png, uploaded};
use crate::api_test;
use crate::helpers::{TestApp, assert_error};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

async fn the_uploader_downloads_with_safe_headers_and_others_get_404(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let html = b"<html><script>alert(1)</script></html>";
    let page = uploaded(&app, &alice, "naïve page.png", html).await;
    let path = format!("/api/v1/files/{}", id_of(&page));

    let response = app.get(&path, &alice.access).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "cache-control"), "private");
    assert_eq!(
        header(&response, "content-security-policy"),
        "default-src 'none'; sandbox"
    );
    // Sniffed as what it is, but only ever downloaded, and sandboxed if opened.
    assert_eq!(header(&response, "content-type"), "text/html");
    let disposition = header(&response, "content-disposition").to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename=\"na_ve page.png\"; filename*=UTF-8''na%C3%AFve%20page.png"),
        "{disposition}"
    );
    assert_eq!(
        header(&response, "etag"),
        format!("\"{}\"", page["sha256"].as_str().expect("sha"))
    );
    assert_eq!(response.bytes().await.expect("body").as_ref(), html);

    let stranger = app.get(&path, &bob.access).await;
    assert_error(stranger, 404, "file_not_found").await;
    let unknown = app
        .get(
            "/api/v1/files/0193b0a0-0000-7000-8000-000000000000",
            &alice.access,
        )
        .await;
    assert_error(unknown, 404, "file_not_found").await;
}
api_test!(the_uploader_downloads_with_safe_headers_and_others_get_404);

async fn ranges_and_etags_work(app: TestApp) {
    let alice = app.register("alice").await;
    let text = "0123456789".repeat(10);
    let file = uploaded(&app, &alice, "digits.txt", text.as_bytes()).await;
    let path = format!("/api/v1/files/{}", id_of(&file));

    let part = app
        .request(reqwest::Method::GET, &path, Some(&alice.access))
        .header("range", "bytes=10-14")
        .send()
        .await
        .expect("send");
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(header(&part, "content-range"), "bytes 10-14/100");
    assert_eq!(part.text().await.expect("body"), "01234");

    let tail = app
        .request(reqwest::Method::GET, &path, Some(&alice.access))
        .header("range", "bytes=-3")
        .send()
        .await
        .expect("send");
    assert_eq!(tail.status().as_u16(), 206);
    assert_eq!(tail.text().await.expect("body"), "789");

    let beyond = app
        .request(reqwest::Method::GET, &path, Some(&alice.access))
        .header("range", "bytes=500-")
        .send()
        .await
        .expect("send");
    assert_eq!(header(&beyond, "content-range"), "bytes */100");
    assert_error(beyond, 416, "range_not_satisfiable").await;

    let etag = format!("\"{}\"", file["sha256"].as_str().expect("sha"));
    let cached = app
        .request(reqwest::Method::GET, &path, Some(&alice.access))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("send");
    assert_eq!(cached.status().as_u16(), 304);
    let stale = app
        .request(reqwest::Method::GET, &path, Some(&alice.access))
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .expect("send");
    assert_eq!(stale.status().as_u16(), 200);
}
api_test!(ranges_and_etags_work);

async fn images_are_inline_with_a_small_thumbnail(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let photo = uploaded(&app, &alice, "wide.png", &png(1000, 500)).await;
    let path = format!("/api/v1/files/{}", id_of(&photo));
    let original = app.get(&path, &alice.access).await;
    assert_eq!(header(&original, "content-type"), "image/png");
    assert!(header(&original, "content-disposition").starts_with("inline;"));

    let thumbnail = app.get(&format!("{path}/thumbnail"), &alice.access).await;
    assert_eq!(thumbnail.status().as_u16(), 200);
    assert_eq!(header(&thumbnail, "content-type"), "image/png");
    let bytes = thumbnail.bytes().await.expect("body");
    let small = image::load_from_memory(&bytes).expect("a thumbnail decodes");
    assert_eq!((small.width(), small.height()), (320, 160));

    let stranger = app.get(&format!("{path}/thumbnail"), &bob.access).await;
    assert_error(stranger, 404, "file_not_found").await;
    let text = uploaded(&app, &alice, "notes.txt", b"just text").await;
    let none = app
        .get(
            &format!("/api/v1/files/{}/thumbnail", id_of(&text)),
            &alice.access,
        )
        .await;
    assert_error(none, 404, "file_not_found").await;
}
api_test!(images_are_inline_with_a_small_thumbnail);
