//! Joins PDFs typeset one after another into one file, writing each one's objects as it
//! comes: only the list of pages, the top of the structure tree and the objects' offsets
//! stay in memory until the end, so memory does not grow with the pages.
//!
//! What the pieces share is made one: one page tree; one structure tree (typst writes
//! tagged PDF, for screen readers), the later pieces' top-level structure elements moved
//! under the first piece's document element, the keys of the parent tree numbered on from
//! piece to piece. The catalog, outline and metadata are the first piece's. Each piece
//! keeps its own font subsets, so the file is a little larger than one document's.
//!
//! lopdf parses a piece and writes its objects; the framing (header, cross-reference
//! table, trailer) is written here, since lopdf saves whole documents only.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;

use anyhow::{Context, bail};
use lopdf::{Dictionary, Document, Object, ObjectId, Writer};

/// The joined page tree; the pieces' objects are numbered after it.
const PAGES: ObjectId = (1, 0);

/// Attributes a page may take from the page tree above it (ISO 32000 7.7.3.4): copied
/// into each page, whose tree is replaced.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

pub(super) struct Joiner<W: Write> {
    out: W,
    written: u64,
    /// The offset of each object written, by object number (0 is never an object).
    offsets: Vec<Option<(u64, u16)>>,
    next_id: u32,
    pages: Vec<Object>,
    /// Held back from the first piece, written last with what the later ones add.
    first: Option<First>,
    /// The top-level structure elements of all pieces, in order.
    structure: Vec<Object>,
    /// The parent tree, as `[key value key value ...]`.
    parent_tree: Vec<Object>,
    next_key: i64,
}

struct First {
    catalog: (ObjectId, Dictionary),
    /// The structure tree root and the document element, if the pieces are tagged.
    tags: Option<((ObjectId, Dictionary), (ObjectId, Dictionary))>,
    trailer: Dictionary,
}

impl<W: Write> Joiner<W> {
    pub(super) fn new(out: W) -> Joiner<W> {
        Joiner {
            out,
            written: 0,
            offsets: Vec::new(),
            next_id: PAGES.0 + 1,
            pages: Vec::new(),
            first: None,
            structure: Vec::new(),
            parent_tree: Vec::new(),
            next_key: 0,
        }
    }

    /// Adds a piece's pages after those before it.
    pub(super) fn append(&mut self, pdf: &[u8]) -> anyhow::Result<()> {
        let mut doc = Document::load_mem(pdf).context("reading back a typeset piece")?;
        doc.renumber_objects_with(self.next_id);
        self.next_id = doc.objects.keys().map(|id| id.0).max().unwrap_or(self.next_id) + 1;
        if self.first.is_none() {
            self.write(format!("%PDF-{}\n%\u{00e2}\u{00e3}\n", doc.version).as_bytes())?;
        }

        let catalog_id = doc.trailer.get(b"Root")?.as_reference()?;
        let catalog = doc.get_dictionary(catalog_id)?.clone();
        let pages: Vec<ObjectId> = doc.page_iter().collect();
        for &page in &pages {
            let inherited = inherited(&doc, page)?;
            let dict = doc.get_dictionary_mut(page)?;
            for (key, value) in inherited {
                dict.set(key, value);
            }
            dict.set("Parent", PAGES);
        }
        // Roots of what this piece adds; the rest (its catalog, page tree, structure tree
        // root, document element) is the first piece's, or dropped.
        let mut roots: Vec<ObjectId> = pages.clone();
        let mut held: Vec<ObjectId> = Vec::new();
        let tags = match catalog.get(b"StructTreeRoot") {
            Ok(root) => Some(self.take_structure(&mut doc, root.as_reference()?, &mut roots, &mut held)?),
            Err(_) => None,
        };
        if self.first.is_none() {
            held.push(catalog_id);
            roots.extend(
                catalog
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_slice(), b"Pages" | b"StructTreeRoot"))
                    .flat_map(|(_, v)| references(v)),
            );
            roots.extend(
                doc.trailer.iter().filter(|(k, _)| k.as_slice() == b"Info").flat_map(|(_, v)| references(v)),
            );
            self.first = Some(First { catalog: (catalog_id, catalog), tags, trailer: doc.trailer.clone() });
        }
        self.pages.extend(pages.into_iter().map(Object::Reference));

        for id in reachable(&doc, roots) {
            if held.contains(&id) {
                continue;
            }
            if let Ok(object) = doc.get_object(id) {
                self.write_object(id, object)?;
            }
        }
        Ok(())
    }

    /// Moves the piece's structure under the first piece's document element and numbers
    /// its parent-tree keys on from the last piece's.
    fn take_structure(
        &mut self,
        doc: &mut Document,
        root_id: ObjectId,
        roots: &mut Vec<ObjectId>,
        held: &mut Vec<ObjectId>,
    ) -> anyhow::Result<((ObjectId, Dictionary), (ObjectId, Dictionary))> {
        let root = doc.get_dictionary(root_id)?.clone();
        let [document_id] = references(root.get(b"K")?)[..] else {
            bail!("a typeset piece's structure tree has more than one document element");
        };
        let document = doc.get_dictionary(document_id)?.clone();
        held.extend([root_id, document_id]);
        let parent = match &self.first {
            Some(First { tags: Some((_, (id, _))), .. }) => *id,
            _ => document_id,
        };
        let kids = match document.get(b"K") {
            Ok(Object::Array(kids)) => kids.clone(),
            Ok(kid) => vec![kid.clone()],
            Err(_) => Vec::new(),
        };
        for kid in &kids {
            if let Object::Reference(id) = kid {
                doc.get_dictionary_mut(*id)?.set("P", parent);
                roots.push(*id);
            }
        }
        self.structure.extend(kids);

        let offset = self.next_key;
        let tree = match root.get(b"ParentTree") {
            Ok(tree) => doc.dereference(tree)?.1.as_dict()?.clone(),
            Err(_) => Dictionary::new(),
        };
        if tree.has(b"Kids") {
            bail!("a typeset piece's parent tree has kids; only a flat one can be joined");
        }
        let nums = tree.get(b"Nums").and_then(Object::as_array).cloned().unwrap_or_default();
        for pair in nums.chunks(2) {
            let [key, value] = pair else { bail!("a parent tree with an odd number of entries") };
            self.parent_tree.extend([Object::Integer(key.as_i64()? + offset), value.clone()]);
            roots.extend(references(value));
        }
        let next = root.get(b"ParentTreeNextKey").and_then(Object::as_i64).unwrap_or(nums.len() as i64 / 2);
        self.next_key += next;
        if offset != 0 {
            for object in doc.objects.values_mut() {
                let dict = match object {
                    Object::Dictionary(dict) => dict,
                    Object::Stream(stream) => &mut stream.dict,
                    _ => continue,
                };
                for key in [b"StructParents".as_slice(), b"StructParent"] {
                    if let Ok(Object::Integer(n)) = dict.get_mut(key) {
                        *n += offset;
                    }
                }
            }
        }
        Ok(((root_id, root), (document_id, document)))
    }

    /// Writes the page tree, the structure tree's top and the catalog, then the
    /// cross-reference table and the trailer.
    pub(super) fn finish(mut self) -> anyhow::Result<W> {
        let Some(first) = self.first.take() else { bail!("a PDF needs at least one piece") };
        let count = self.pages.len() as i64;
        let mut pages = Dictionary::new();
        pages.set("Type", "Pages");
        pages.set("Kids", std::mem::take(&mut self.pages));
        pages.set("Count", count);
        self.write_object(PAGES, &Object::Dictionary(pages))?;
        if let Some(((root_id, mut root), (document_id, mut document))) = first.tags {
            document.set("K", std::mem::take(&mut self.structure));
            self.write_object(document_id, &Object::Dictionary(document))?;
            let mut parent_tree = Dictionary::new();
            parent_tree.set("Nums", std::mem::take(&mut self.parent_tree));
            root.set("ParentTree", parent_tree);
            root.set("ParentTreeNextKey", self.next_key);
            self.write_object(root_id, &Object::Dictionary(root))?;
        }
        let (catalog_id, mut catalog) = first.catalog;
        catalog.set("Pages", PAGES);
        self.write_object(catalog_id, &Object::Dictionary(catalog))?;

        let start = self.written;
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len().max(1));
        for entry in self.offsets.iter().skip(1) {
            table += &match entry {
                Some((offset, generation)) => format!("{offset:010} {generation:05} n \n"),
                None => "0000000000 00000 f \n".to_owned(),
            };
        }
        self.write(table.as_bytes())?;
        let mut trailer = Dictionary::new();
        trailer.set("Size", self.offsets.len() as i64);
        trailer.set("Root", catalog_id);
        for key in [b"Info".as_slice(), b"ID"] {
            if let Ok(value) = first.trailer.get(key) {
                trailer.set(key, value.clone());
            }
        }
        let mut bytes = b"trailer\n".to_vec();
        Writer::write_object(&mut bytes, &Object::Dictionary(trailer))?;
        bytes.extend(format!("\nstartxref\n{start}\n%%EOF\n").as_bytes());
        self.write(&bytes)?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_object(&mut self, id: ObjectId, object: &Object) -> anyhow::Result<()> {
        let number = id.0 as usize;
        if self.offsets.len() <= number {
            self.offsets.resize(number + 1, None);
        }
        self.offsets[number] = Some((self.written, id.1));
        let mut bytes = format!("{} {} obj\n", id.0, id.1).into_bytes();
        Writer::write_object(&mut bytes, object)?;
        bytes.extend_from_slice(b"\nendobj\n");
        self.write(&bytes)
    }

    fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }
}

/// What a page takes from the page tree above it and does not set itself.
fn inherited(doc: &Document, page: ObjectId) -> anyhow::Result<Vec<(&'static [u8], Object)>> {
    let mut found = Vec::new();
    let mut node = doc.get_dictionary(page)?;
    let mut seen = HashSet::new();
    while let Ok(parent) = node.get(b"Parent").and_then(Object::as_reference) {
        if !seen.insert(parent) {
            break;
        }
        node = doc.get_dictionary(parent)?;
        for key in INHERITED {
            let set = doc.get_dictionary(page)?.has(key) || found.iter().any(|(k, _)| *k == key);
            if let (false, Ok(value)) = (set, node.get(key)) {
                found.push((key, value.clone()));
            }
        }
    }
    Ok(found)
}

/// The objects reachable from `roots`, not following links upward (a page's `Parent`,
/// a structure element's `P`): those lead to what the joined file replaces.
fn reachable(doc: &Document, roots: Vec<ObjectId>) -> BTreeSet<ObjectId> {
    let mut seen = BTreeSet::new();
    let mut todo = roots;
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Ok(object) = doc.get_object(id) {
            todo.extend(downward_references(object));
        }
    }
    seen
}

fn downward_references(object: &Object) -> Vec<ObjectId> {
    let dict = match object {
        Object::Dictionary(dict) => dict,
        Object::Stream(stream) => &stream.dict,
        other => return references(other),
    };
    dict.iter()
        .filter(|(k, _)| !matches!(k.as_slice(), b"Parent" | b"P"))
        .flat_map(|(_, v)| references(v))
        .collect()
}

/// The references in an object, however deep in arrays and dictionaries.
fn references(object: &Object) -> Vec<ObjectId> {
    match object {
        Object::Reference(id) => vec![*id],
        Object::Array(items) => items.iter().flat_map(references).collect(),
        Object::Dictionary(dict) => dict.iter().flat_map(|(_, v)| references(v)).collect(),
        Object::Stream(stream) => stream.dict.iter().flat_map(|(_, v)| references(v)).collect(),
        _ => Vec::new(),
    }
}
