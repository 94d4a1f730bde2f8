//! Redis Cluster hash slots: CRC16/XMODEM of the key (or of its hash tag)
//! modulo 16384, exactly as the Redis Cluster specification defines them.

/// Number of hash slots in a Redis Cluster.
pub const SLOT_COUNT: u16 = 16384;

/// CRC16/XMODEM: polynomial 0x1021, initial value 0, no reflection.
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The part of a key that Redis hashes: the text between the first `{` and
/// the next `}` when that text is non-empty, otherwise the whole key.
pub fn hash_tag(key: &str) -> &str {
    if let Some(open) = key.find('{') {
        if let Some(len) = key[open + 1..].find('}') {
            if len > 0 {
                return &key[open + 1..open + 1 + len];
            }
        }
    }
    key
}

/// The hash slot Redis Cluster assigns to `key`.
pub fn slot(key: &str) -> u16 {
    crc16(hash_tag(key).as_bytes()) % SLOT_COUNT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_check_value() {
        assert_eq!(crc16(b"123456789"), 0x31C3);
    }

    #[test]
    fn known_slots() {
        assert_eq!(slot("foo"), 12182);
        assert_eq!(slot("baz"), 4813);
    }

    #[test]
    fn hash_tags_share_a_slot() {
        assert_eq!(slot("{user1000}.following"), slot("{user1000}.followers"));
        assert_eq!(slot("{user1000}.following"), slot("user1000"));
    }

    #[test]
    fn empty_or_unclosed_tags_hash_the_whole_key() {
        assert_eq!(hash_tag("foo{}{bar}"), "foo{}{bar}");
        assert_eq!(hash_tag("foo{{bar}}zap"), "{bar");
        assert_eq!(hash_tag("foo{bar}{zap}"), "bar");
        assert_eq!(hash_tag("no{tag"), "no{tag");
    }
}
