//! Maps against the real kernel: the generic calls with their exact
//! errnos, iteration, and every typed map (QUEUE FIFO, STACK LIFO, CPUMAP,
//! DEVMAP, XSKMAP).
mod common;

use common::*;
use xdpkit::{CpuMap, DevMap, Map, MapType, Queue, Socket, Stack, Umem, UmemConfig, UpdateFlags, XskMap};

fn errno<T: std::fmt::Debug>(r: xdpkit::Result<T>) -> i32 {
    r.expect_err("expected an error").errno()
}

fn k(v: u32) -> [u8; 4] {
    v.to_ne_bytes()
}

fn v(x: u64) -> [u8; 8] {
    x.to_ne_bytes()
}

#[test]
fn hash_map() {
    if !root("hash_map") {
        return;
    }
    let m = Map::create(MapType::Hash, 4, 8, 4, 0, Some("rs_hash")).unwrap();
    let info = m.info();
    assert_eq!((info.map_type, info.key_size, info.value_size, info.max_entries), (MapType::Hash, 4, 8, 4));
    assert_eq!(info.name, "rs_hash");
    assert!(info.id > 0);

    assert_eq!(errno(m.lookup(&k(1))), libc::ENOENT, "missing key");
    assert_eq!(m.get(&k(1)).unwrap(), None);
    assert_eq!(errno(m.delete(&k(1))), libc::ENOENT, "delete missing");
    assert_eq!(errno(m.update(&k(1), &v(10), UpdateFlags::Exist)), libc::ENOENT, "EXIST on missing");
    m.update(&k(1), &v(10), UpdateFlags::NoExist).unwrap();
    assert_eq!(errno(m.update(&k(1), &v(11), UpdateFlags::NoExist)), libc::EEXIST);
    m.update(&k(1), &v(11), UpdateFlags::Exist).unwrap();
    assert_eq!(m.lookup(&k(1)).unwrap(), v(11));
    let mut buf = [0u8; 8];
    m.lookup_into(&k(1), &mut buf).unwrap();
    assert_eq!(buf, v(11));

    // Wrong sizes are EINVAL before any system call.
    assert_eq!(errno(m.lookup(&[1, 2])), libc::EINVAL, "short key");
    assert_eq!(errno(m.update(&k(2), &[0u8; 4], UpdateFlags::Any)), libc::EINVAL, "short value");
    assert_eq!(errno(m.lookup_into(&k(1), &mut [0u8; 9])), libc::EINVAL, "long value buffer");
    assert_eq!(errno(m.next_key(Some(&[0u8; 3]))), libc::EINVAL);

    for i in 2..=4 {
        m.update(&k(i), &v(u64::from(i) * 10), UpdateFlags::Any).unwrap();
    }
    assert_eq!(errno(m.update(&k(5), &v(50), UpdateFlags::Any)), libc::E2BIG, "full");

    let mut keys: Vec<u32> = m.keys().map(|r| u32::from_ne_bytes(r.unwrap().try_into().unwrap())).collect();
    keys.sort();
    assert_eq!(keys, [1, 2, 3, 4]);
    let mut entries: Vec<(u32, u64)> = m
        .iter()
        .map(|r| {
            let (key, val) = r.unwrap();
            (u32::from_ne_bytes(key.try_into().unwrap()), u64::from_ne_bytes(val.try_into().unwrap()))
        })
        .collect();
    entries.sort();
    assert_eq!(entries, [(1, 11), (2, 20), (3, 30), (4, 40)]);
    let first = m.next_key(None).unwrap().unwrap();
    assert!(keys.contains(&u32::from_ne_bytes(first.clone().try_into().unwrap())));

    assert_eq!(m.lookup_and_delete(&k(2)).unwrap(), v(20));
    assert_eq!(errno(m.lookup_and_delete(&k(2))), libc::ENOENT);
    m.delete(&k(3)).unwrap();
    assert_eq!(m.keys().count(), 2);

    // Batch update (hash maps support it).
    let keys: Vec<u8> = [7u32, 8].iter().flat_map(|x| x.to_ne_bytes()).collect();
    let vals: Vec<u8> = [70u64, 80].iter().flat_map(|x| x.to_ne_bytes()).collect();
    assert_eq!(m.update_batch(&keys, &vals, UpdateFlags::Any).unwrap(), 2);
    assert_eq!(m.lookup(&k(8)).unwrap(), v(80));

    // Open the same map by id: a second owner of the same kernel map.
    let m2 = Map::open_id(m.info().id).unwrap();
    assert_eq!(m2.lookup(&k(7)).unwrap(), v(70));
    assert_eq!(errno(Map::open_id(u32::MAX)), libc::ENOENT);
}

#[test]
fn array_and_percpu_maps() {
    if !root("array_and_percpu_maps") {
        return;
    }
    let a = Map::create(MapType::Array, 4, 8, 4, 0, None).unwrap();
    assert_eq!(a.lookup(&k(3)).unwrap(), v(0), "arrays start zeroed");
    a.update(&k(3), &v(33), UpdateFlags::Any).unwrap();
    assert_eq!(a.lookup(&k(3)).unwrap(), v(33));
    assert_eq!(errno(a.update(&k(4), &v(1), UpdateFlags::Any)), libc::E2BIG, "index out of range");
    assert_eq!(errno(a.delete(&k(0))), libc::EINVAL, "array entries cannot be deleted");
    assert_eq!(errno(a.update(&k(0), &v(1), UpdateFlags::NoExist)), libc::EEXIST);
    assert_eq!(a.keys().count(), 4);

    let ncpu = xdpkit::possible_cpus().unwrap();
    let p = Map::create(MapType::PercpuArray, 4, 4, 2, 0, None).unwrap();
    assert_eq!(p.value_len(), 8 * ncpu);
    let vals: Vec<u8> = (0..ncpu as u64).flat_map(|c| (c + 100).to_ne_bytes()).collect();
    p.update(&k(1), &vals, UpdateFlags::Any).unwrap();
    let got = p.lookup(&k(1)).unwrap();
    for c in 0..ncpu {
        assert_eq!(u32::from_ne_bytes(got[c * 8..c * 8 + 4].try_into().unwrap()), 100 + c as u32);
    }
    assert_eq!(errno(p.update(&k(1), &[0u8; 4], UpdateFlags::Any)), libc::EINVAL, "one CPU's worth");
}

#[test]
fn queue_fifo() {
    if !root("queue_fifo") {
        return;
    }
    let q = Queue::create(4, 3).unwrap();
    assert_eq!(q.map_type(), MapType::Queue);
    assert_eq!(q.pop().unwrap(), None);
    assert_eq!(errno(q.pop_into(&mut [0u8; 4])), libc::ENOENT, "empty");
    assert_eq!(errno(q.peek_into(&mut [0u8; 4])), libc::ENOENT, "empty");
    for i in 1..=3u32 {
        q.push(&i.to_ne_bytes(), false).unwrap();
    }
    assert_eq!(errno(q.push(&4u32.to_ne_bytes(), false)), libc::E2BIG, "full");
    assert_eq!(errno(q.push(&[0u8; 8], false)), libc::EINVAL, "wrong size");
    assert_eq!(errno(q.pop_into(&mut [0u8; 2])), libc::EINVAL, "wrong size");
    q.push(&4u32.to_ne_bytes(), true).unwrap(); // overwrite: drops the oldest (1)
    assert_eq!(q.peek().unwrap().unwrap(), 2u32.to_ne_bytes(), "peek leaves it");
    let order: Vec<u32> =
        std::iter::from_fn(|| q.pop().unwrap()).map(|b| u32::from_ne_bytes(b.try_into().unwrap())).collect();
    assert_eq!(order, [2, 3, 4], "FIFO");
}

#[test]
fn stack_lifo() {
    if !root("stack_lifo") {
        return;
    }
    let s = Stack::create(4, 3).unwrap();
    assert_eq!(s.map_type(), MapType::Stack);
    assert_eq!(s.pop().unwrap(), None);
    assert_eq!(errno(s.pop_into(&mut [0u8; 4])), libc::ENOENT, "empty");
    for i in 1..=3u32 {
        s.push(&i.to_ne_bytes(), false).unwrap();
    }
    assert_eq!(errno(s.push(&4u32.to_ne_bytes(), false)), libc::E2BIG, "full");
    s.push(&4u32.to_ne_bytes(), true).unwrap(); // overwrite: drops the oldest (1)
    assert_eq!(s.peek().unwrap().unwrap(), 4u32.to_ne_bytes());
    let order: Vec<u32> =
        std::iter::from_fn(|| s.pop().unwrap()).map(|b| u32::from_ne_bytes(b.try_into().unwrap())).collect();
    assert_eq!(order, [4, 3, 2], "LIFO");
    assert_eq!(errno(Queue::try_from_map(s.into_inner())), libc::EINVAL, "a STACK is no QUEUE");
}

#[test]
fn cpumap() {
    if !root("cpumap") {
        return;
    }
    let m = CpuMap::create(4).unwrap();
    assert_eq!(m.map_type(), MapType::CpuMap);
    assert_eq!(errno(m.get(0)), libc::ENOENT, "CPU not enabled");
    m.set(0, 192, None).unwrap();
    assert_eq!(m.get(0).unwrap(), (192, None));
    assert_eq!(errno(m.set(4, 192, None)), libc::E2BIG, "CPU beyond max_entries");
    m.clear(0).unwrap();
    assert_eq!(errno(m.get(0)), libc::ENOENT);
}

#[test]
fn devmap() {
    if !root("devmap") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let ifindex = xdpkit::if_index(IF_A).unwrap();
        let m = DevMap::create(4).unwrap();
        assert_eq!(m.map_type(), MapType::DevMap);
        assert_eq!(errno(m.get(1)), libc::ENOENT);
        m.set(1, ifindex, None).unwrap();
        assert_eq!(m.get(1).unwrap(), (ifindex, None));
        assert_eq!(errno(m.set(4, ifindex, None)), libc::E2BIG, "key beyond max_entries");
        m.clear(1).unwrap();
        assert_eq!(errno(m.get(1)), libc::ENOENT);

        let h = DevMap::create_hash(4).unwrap();
        assert_eq!(h.map_type(), MapType::DevMapHash);
        h.set(1000, ifindex, None).unwrap();
        assert_eq!(h.get(1000).unwrap(), (ifindex, None));
        assert_eq!(errno(h.get(1001)), libc::ENOENT);
        assert_eq!(errno(h.clear(1001)), libc::ENOENT);
    });
}

#[test]
fn xskmap() {
    if !root("xskmap") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let parts = Umem::create(&UmemConfig::default()).unwrap();
        let sock = Socket::builder(IF_A).program(false).build(&parts.umem).unwrap();
        assert_eq!(sock.prog_id().unwrap(), None, "no default program");
        let m = XskMap::create(4).unwrap();
        assert_eq!(m.map_type(), MapType::XskMap);
        m.set(0, &sock).unwrap();
        assert_eq!(errno(m.set(4, &sock)), libc::E2BIG, "queue beyond max_entries");
        m.clear(0).unwrap();
        sock.update_xskmap(&m).unwrap();
        m.clear(0).unwrap();
        assert_eq!(errno(m.clear(4)), libc::EINVAL, "queue beyond max_entries");
        assert_eq!(errno(XskMap::try_from_map(Map::create(MapType::Hash, 4, 4, 1, 0, None).unwrap())), libc::EINVAL);
    });
}
