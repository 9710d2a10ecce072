//! Row ids: UUIDv7, made here and nowhere else. Time-ordered ids keep inserts at the right
//! edge of each index and make "order by id" the order of arrival.

pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
