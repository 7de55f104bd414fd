//! The store's conformance suite: the same scenario functions run on SQLite
//! and on PostgreSQL (`backends!`), straight on the store with no server in
//! front, so that a query that behaves differently on one database (an
//! `ON CONFLICT`, an ordering, a `RETURNING`, a flag read back) shows here
//! under the aggregate's name. Each scenario starts from an empty, migrated
//! database. (atuin's `db_story` is the model.)

use cercle_domain::outbox::OutboxKind;
use cercle_domain::session::SessionPurpose;
use cercle_domain::{MessageId, OutboxId, SessionId, ThreadId, Timestamp, UserId};
use cercle_store::{outbox, sessions, threads, users, Store, StoreError};
use cercle_testkit::{Db, EmptyDb};

const T0: Timestamp = Timestamp(1_750_000_000_000);

async fn migrated(db: Db) -> (EmptyDb, Store) {
    let empty = EmptyDb::new(db).await;
    let store = Store::open(&empty.url).await.expect("open");
    store.migrate().await.expect("migrate");
    (empty, store)
}

fn user<'a>(id: &'a str, email: &'a str) -> users::NewUser<'a> {
    users::NewUser {
        id,
        email,
        name: "Marie Tremblay",
        language: "fr",
        password_hash: "$argon2id$not-a-real-hash",
        network_admin: false,
    }
}

/// Accounts and sessions: a second account on the same email is a
/// conflict, a session is found again, locked, and the others of the person
/// are closed while one is kept.
async fn accounts_and_sessions(db: Db) {
    let (_db, store) = migrated(db).await;
    let u1 = UserId::new();
    let u1_text = u1.to_string();
    let mut tx = store.begin().await.expect("begin");
    users::insert(&mut tx, &user(&u1_text, "marie@clinique.test"), T0)
        .await
        .expect("user");
    match users::insert(&mut tx, &user(&UserId::new().to_string(), "marie@clinique.test"), T0).await {
        Err(StoreError::Conflict) => {}
        other => panic!("same email twice: {other:?}"),
    }
    tx.rollback().await.expect("rollback");

    let mut tx = store.begin().await.expect("begin");
    users::insert(&mut tx, &user(&u1_text, "marie@clinique.test"), T0)
        .await
        .expect("user");
    let (s1, s2, s3) = (SessionId::new(), SessionId::new(), SessionId::new());
    for (id, hash) in [(s1, "h1"), (s2, "h2"), (s3, "h3")] {
        let s = sessions::NewSession {
            id,
            user_id: u1,
            device_id: None,
            token_hash: Some(hash),
            stage: cercle_domain::session::SessionStage::Active,
            purpose: SessionPurpose::SignIn,
            factor: None,
            label: "Firefox",
            ip: Some("203.0.113.7"),
        };
        sessions::insert(&mut tx, &s, T0).await.expect("session");
    }
    tx.commit().await.expect("commit");

    let mut conn = store.reader().await.expect("reader");
    let marie = users::by_email(&mut conn, "marie@clinique.test")
        .await
        .expect("by email")
        .expect("found");
    assert_eq!(
        (marie.id.as_str(), marie.network_admin, marie.failed_logins),
        (u1_text.as_str(), false, 0)
    );
    assert_eq!(users::count(&mut conn).await.expect("count"), 1);
    let s = sessions::by_token_hash(&mut conn, "h2")
        .await
        .expect("by hash")
        .expect("found");
    assert_eq!(
        (s.id, s.locked, s.created_at, s.purpose),
        (s2, false, T0.0, SessionPurpose::SignIn)
    );
    drop(conn);

    let mut tx = store.begin().await.expect("begin");
    sessions::set_locked(&mut tx, s2, true).await.expect("lock");
    sessions::touch(&mut tx, s2, T0.plus_secs(60)).await.expect("touch");
    let closed = sessions::delete_for_user(&mut tx, u1, Some(s2))
        .await
        .expect("close others");
    tx.commit().await.expect("commit");
    assert_eq!(closed, 2);
    let mut conn = store.reader().await.expect("reader");
    let left = sessions::for_user(&mut conn, u1).await.expect("for user");
    assert_eq!(left.len(), 1);
    assert_eq!(
        (left[0].id, left[0].locked, left[0].last_seen_at),
        (s2, true, T0.plus_secs(60).0)
    );
    drop(conn);
    store.close().await;
}

/// The outbox: due messages in the order queued, one claim per message
/// (the lease keeps a second node off), retries, giving up, sending again,
/// and the body dropped once sent.
async fn outbox_queue(db: Db) {
    let (_db, store) = migrated(db).await;
    let (m1, m2) = (OutboxId::new(), OutboxId::new());
    let mut tx = store.begin().await.expect("begin");
    for (i, id) in [m1, m2].into_iter().enumerate() {
        let m = outbox::NewOutgoing {
            id,
            channel: cercle_domain::outbox::OutboxChannel::Email,
            kind: OutboxKind::SigninCode,
            recipient: "marie@clinique.test",
            subject: "Code",
            body: "123456",
        };
        outbox::enqueue(&mut tx, &m, T0.plus_secs(i as i64))
            .await
            .expect("enqueue");
    }
    tx.commit().await.expect("commit");
    let now = T0.plus_secs(10);
    let mut conn = store.reader().await.expect("reader");
    let due: Vec<OutboxId> = outbox::due(&mut conn, now, 10)
        .await
        .expect("due")
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(due, [m1, m2]);
    assert_eq!(outbox::waiting_count(&mut conn).await.expect("waiting"), 2);
    drop(conn);

    let mut tx = store.begin().await.expect("begin");
    let lease = now.plus_secs(30);
    assert!(outbox::claim(&mut tx, m1, "<m1@cercle>", now, lease)
        .await
        .expect("claim"));
    assert!(
        !outbox::claim(&mut tx, m1, "<other@cercle>", now, lease)
            .await
            .expect("claim again"),
        "leased"
    );
    outbox::mark_retry(&mut tx, m1, "421 try later", now.plus_secs(60), true, now)
        .await
        .expect("give up");
    outbox::mark_sent(&mut tx, m2, false, now).await.expect("sent");
    tx.commit().await.expect("commit");

    let mut conn = store.reader().await.expect("reader");
    let failed = outbox::failed(&mut conn, 10).await.expect("failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (
            failed[0].id,
            failed[0].attempts,
            failed[0].message_id.as_deref(),
            failed[0].last_error.as_deref()
        ),
        (m1, 1, Some("<m1@cercle>"), Some("421 try later"))
    );
    let sent = outbox::get(&mut conn, m2).await.expect("get").expect("m2");
    assert_eq!(
        (sent.status.as_str(), sent.body.as_str(), sent.sent_at),
        ("sent", "", Some(now.0))
    );
    assert_eq!(outbox::waiting_count(&mut conn).await.expect("waiting"), 0);
    drop(conn);

    let mut tx = store.begin().await.expect("begin");
    assert!(outbox::send_again(&mut tx, m1, now.plus_secs(100))
        .await
        .expect("again"));
    assert!(!outbox::send_again(&mut tx, m2, now.plus_secs(100))
        .await
        .expect("not failed"));
    tx.commit().await.expect("commit");
    let mut conn = store.reader().await.expect("reader");
    let again = outbox::get(&mut conn, m1).await.expect("get").expect("m1");
    assert_eq!(
        (
            again.status.as_str(),
            again.attempts,
            again.retry_since,
            again.message_id.as_deref()
        ),
        ("pending", 0, now.plus_secs(100).0, Some("<m1@cercle>"))
    );
    drop(conn);
    store.close().await;
}

/// Threads: participants once each, message numbers in order, messages
/// read back oldest first, an edit keeps the earlier text, read marks only
/// move forward.
async fn threads_and_messages(db: Db) {
    let (_db, store) = migrated(db).await;
    let (u1, t1) = (UserId::new(), ThreadId::new());
    let mut tx = store.begin().await.expect("begin");
    users::insert(&mut tx, &user(&u1.to_string(), "marie@clinique.test"), T0)
        .await
        .expect("user");
    let t = threads::NewThread {
        id: t1,
        kind: cercle_domain::threads::ThreadKind::Collaboration,
        org_id: None,
        patient_file_id: None,
        title: "Plaie au talon",
        title_text: None,
        folded_title: "plaie au talon",
        high_priority: false,
        created_by: u1,
        direct_key: None,
        channel_id: None,
    };
    threads::insert_thread(&mut tx, &t, T0).await.expect("thread");
    let marie = threads::Participant::User(u1);
    assert!(threads::add_participant(&mut tx, t1, marie, None, T0)
        .await
        .expect("add"));
    assert!(
        !threads::add_participant(&mut tx, t1, marie, None, T0)
            .await
            .expect("again"),
        "once"
    );
    let message_ids = [MessageId::new(), MessageId::new()];
    for (i, body) in ["Bonjour", "Pansement refait"].iter().enumerate() {
        let now = T0.plus_secs(i as i64 + 1);
        let seq = threads::next_seq(&mut tx, t1, u1, i == 1, now)
            .await
            .expect("seq")
            .last_seq;
        assert_eq!(seq, i as i64 + 1);
        let m = threads::MessageRow {
            id: message_ids[i],
            thread_id: t1,
            seq,
            author_id: u1,
            body: (*body).into(),
            priority: i == 1,
            created_at: now.0,
            edited_at: None,
            retracted_at: None,
        };
        threads::insert_message(&mut tx, &m, &body.to_lowercase())
            .await
            .expect("message");
    }
    threads::edit_message(
        &mut tx,
        message_ids[0],
        "Bonjour à tous",
        "bonjour a tous",
        T0.plus_secs(5),
    )
    .await
    .expect("edit");
    tx.commit().await.expect("commit");

    let mut conn = store.reader().await.expect("reader");
    let thread = threads::thread(&mut conn, t1).await.expect("thread").expect("t1");
    assert_eq!((thread.last_seq, thread.created_by), (2, u1));
    let messages = threads::messages(&mut conn, t1, i64::MAX, 10).await.expect("messages");
    let seen: Vec<(i64, &str, bool, Option<i64>)> = messages
        .iter()
        .map(|m| (m.seq, m.body.as_str(), m.priority, m.edited_at))
        .collect();
    assert_eq!(
        seen,
        [
            (1, "Bonjour à tous", false, Some(T0.plus_secs(5).0)),
            (2, "Pansement refait", true, None)
        ]
    );
    assert_eq!(
        threads::versions(&mut conn, message_ids[0]).await.expect("versions"),
        [(1, "Bonjour".to_string(), T0.plus_secs(5).0)]
    );
    drop(conn);

    let mut tx = store.begin().await.expect("begin");
    assert!(threads::mark_read(&mut tx, t1, u1, 2, T0).await.expect("read"));
    assert!(
        !threads::mark_read(&mut tx, t1, u1, 1, T0).await.expect("back"),
        "never back"
    );
    tx.commit().await.expect("commit");
    let mut conn = store.reader().await.expect("reader");
    assert_eq!(threads::reads(&mut conn, t1).await.expect("reads"), [(u1, 2)]);
    drop(conn);
    store.close().await;
}

crate::backends!(accounts_and_sessions, outbox_queue, threads_and_messages);
