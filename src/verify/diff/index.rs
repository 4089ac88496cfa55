//! One revision, indexed for the comparison: the reference graph of all its
//! objects, what the trailer reaches and by which path, who refers to what, and
//! the role each structural object plays (catalog, form, field, page, …).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::pdf::object::{Dict, ObjRef, Object};
use crate::pdf::reader::{PdfFile, RevisionView, XrefEntry};
use crate::pdf::write::decode_text_string;
use crate::pdf::{ObjectSource, PdfError};

use super::compare::type_label;
use super::{MAX_DEPTH, MAX_OBJECTS_PER_REVISION};

/// Parent id standing for the trailer in [`Snapshot::covered`].
const TRAILER: u32 = u32::MAX;
/// Longest path kept for a description.
const MAX_PATH: usize = 160;
/// Most intermediate objects followed when looking for other uses of an object.
const MAX_INTERMEDIATES: usize = 256;
/// Keys whose references point back or sideways without drawing their target
/// (a widget's page, a field's parent, a reply's original, outline links, the
/// `/Data` of a signature reference, the values of a number tree such as the
/// structure tree's `/ParentTree` or `/PageLabels`): such a use of an object does
/// not make a change to it visible.
const BACK_LINKS: &[&[u8]] =
    &[b"P", b"Parent", b"IRT", b"Popup", b"Data", b"Pg", b"Obj", b"First", b"Last", b"Next", b"Prev", b"CO", b"Nums"];

/// A countdown of objects read; reaching zero is [`PdfError::LimitExceeded`].
pub(crate) struct Budget {
    left: usize,
    what: &'static str,
}

impl Budget {
    pub fn new(n: usize, what: &'static str) -> Self {
        Budget { left: n, what }
    }
    pub fn take(&mut self, n: usize) -> Result<(), PdfError> {
        self.left = self.left.checked_sub(n).ok_or(PdfError::LimitExceeded(self.what))?;
        Ok(())
    }
}

/// One object in the graph: its generation, outgoing references with the path
/// inside the object where each occurs, and a short type label.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub gen: u16,
    pub edges: Vec<(ObjRef, String)>,
    pub label: String,
    pub objstm: bool,
}

/// Every in-use object of a revision.
#[derive(Clone, Debug, Default)]
pub(crate) struct Graph {
    pub nodes: HashMap<u32, Node>,
}

fn gen_of_entry(e: &XrefEntry) -> Option<u16> {
    match e {
        XrefEntry::Free => None,
        XrefEntry::InFile { gen, .. } => Some(*gen),
        XrefEntry::InStream { .. } => Some(0),
    }
}

impl Graph {
    fn build(view: &RevisionView<'_>, budget: &mut Budget, total: &mut Budget) -> Result<Graph, PdfError> {
        let mut entries: Vec<(u32, XrefEntry)> =
            view.xref().iter().filter(|(&n, e)| n != 0 && gen_of_entry(e).is_some()).map(|(&n, &e)| (n, e)).collect();
        // File order, and object streams one after another, so the reader's caches hit.
        entries.sort_by_key(|(n, e)| match e {
            XrefEntry::InFile { offset, .. } => (0u8, *offset, 0u32),
            XrefEntry::InStream { stream, index } => (1, u64::from(*stream), *index),
            XrefEntry::Free => (2, u64::from(*n), 0),
        });
        let mut g = Graph::default();
        for (num, e) in entries {
            budget.take(1)?;
            total.take(1)?;
            let gen = gen_of_entry(&e).unwrap_or(0);
            g.nodes.insert(num, read_node(view, ObjRef::new(num, gen))?);
        }
        Ok(g)
    }

    /// Re-read `nums` as `view` defines them (removing the free ones).
    fn refresh(&mut self, view: &RevisionView<'_>, nums: &[u32], budget: &mut Budget, total: &mut Budget) -> Result<(), PdfError> {
        for &num in nums {
            match view.xref().get(&num).and_then(gen_of_entry) {
                None => {
                    self.nodes.remove(&num);
                }
                Some(gen) => {
                    budget.take(1)?;
                    total.take(1)?;
                    self.nodes.insert(num, read_node(view, ObjRef::new(num, gen))?);
                }
            }
        }
        Ok(())
    }
}

fn read_node(view: &RevisionView<'_>, r: ObjRef) -> Result<Node, PdfError> {
    match view.get(r) {
        Ok(raw) => {
            let mut edges = Vec::new();
            collect_refs(&raw.object, &mut String::new(), &mut edges, 0)?;
            let objstm = raw.object.as_dict().is_some_and(|d| d.has_type(b"ObjStm"));
            Ok(Node { gen: r.gen, edges, label: type_label(&raw.object, raw.stream.is_some()), objstm })
        }
        // An unreadable object refers to nothing; a change to it is still compared.
        Err(e) if super::recoverable(&e) => Ok(Node { gen: r.gen, edges: Vec::new(), label: "unreadable object".into(), objstm: false }),
        Err(e) => Err(e),
    }
}

fn collect_refs(obj: &Object, path: &mut String, out: &mut Vec<(ObjRef, String)>, depth: usize) -> Result<(), PdfError> {
    if depth > MAX_DEPTH {
        return Err(PdfError::LimitExceeded("object nesting depth"));
    }
    match obj {
        Object::Ref(r) => out.push((*r, path.clone())),
        Object::Array(a) => {
            for (i, o) in a.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                collect_refs(o, path, out, depth + 1)?;
                path.truncate(len);
            }
        }
        Object::Dict(d) => {
            for e in &d.entries {
                let len = path.len();
                path.push('/');
                path.push_str(&String::from_utf8_lossy(&e.key));
                collect_refs(&e.value, path, out, depth + 1)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The role an object plays in a revision, found by walking its structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The document catalog.
    Catalog,
    /// The document information dictionary.
    Info,
    /// The document-level XMP metadata stream.
    Xmp,
    /// The DSS, a VRI dictionary, or one of their arrays or streams.
    Dss,
    /// The catalog's `/Extensions` dictionary or one of its developer extension
    /// dictionaries (ISO 32000-2 §7.12).
    Extensions,
    /// The interactive form dictionary.
    AcroForm,
    /// The form's default resources (`/DR`) or one of its category dictionaries.
    FormResources,
    /// The form's `/Fields` array.
    FieldsArray,
    /// A form field (possibly merged with its widget).
    Field,
    /// The `/Kids` array of a form field.
    KidsArray { field: ObjRef },
    /// A widget annotation that is not itself a field.
    Widget { field: ObjRef },
    /// An annotation's `/AP` dictionary or one of its appearance streams.
    Appearance { annot: ObjRef },
    /// A page-tree node (or its `/Kids` array).
    PageNode,
    /// A page (zero-based index).
    Page { index: usize },
    /// A page's `/Annots` array.
    AnnotsArray { page: usize },
    /// An annotation on a page that is not a form widget.
    Annotation { page: usize },
    /// The structure tree root (`/StructTreeRoot`, ISO 32000-2 §14.7.2).
    StructTreeRoot,
    /// A node of the structure tree's `/ParentTree` number tree.
    ParentTree,
    /// A structure element near the top of the tree (the root's children and
    /// theirs), where tagging tools hang the elements of new widgets.
    StructElem,
}

/// A form field as found in one revision.
#[derive(Clone, Debug)]
pub(crate) struct FieldNode {
    /// Fully qualified name.
    pub name: String,
    /// `/FT`, inherited.
    pub ft: Option<Vec<u8>>,
    /// A signature field with a value.
    pub signed: bool,
    /// Child fields.
    pub kids: Vec<ObjRef>,
    /// Widget annotations (the field itself when merged).
    pub widgets: Vec<ObjRef>,
}

impl FieldNode {
    pub fn is_sig(&self) -> bool {
        self.ft.as_deref() == Some(b"Sig")
    }
}

/// One revision, indexed.
pub(crate) struct Snapshot<'a> {
    pub view: RevisionView<'a>,
    pub graph: Graph,
    /// Every reference the trailer reaches (including dangling ones), with a path.
    pub paths: HashMap<ObjRef, String>,
    /// Referrers of each object number: (target generation, referring object, key path).
    reverse: HashMap<u32, Vec<(u16, u32, String)>>,
    pub roles: HashMap<ObjRef, Vec<Role>>,
    /// (object, referring object) pairs accounted for by a role.
    covered: HashSet<(u32, u32)>,
    pub fields: HashMap<ObjRef, FieldNode>,
    /// The page (zero-based) whose `/Annots` lists each annotation.
    pub annot_page: HashMap<ObjRef, usize>,
}

impl<'a> Snapshot<'a> {
    /// Index revision `k` from scratch.
    pub fn first(pdf: &'a PdfFile, k: usize, total: &mut Budget) -> Result<Snapshot<'a>, PdfError> {
        let view = pdf.revision(k).ok_or_else(|| PdfError::Missing(format!("revision {k}")))?;
        let mut budget = Budget::new(MAX_OBJECTS_PER_REVISION, "objects indexed per revision");
        let graph = Graph::build(&view, &mut budget, total)?;
        Snapshot::index(view, graph, &mut budget)
    }

    /// Index the next revision, `view`, which writes `entries`, from this one.
    pub fn next(
        &self,
        view: RevisionView<'a>,
        entries: &BTreeMap<u32, XrefEntry>,
        budget: &mut Budget,
        total: &mut Budget,
    ) -> Result<Snapshot<'a>, PdfError> {
        let mut graph = self.graph.clone();
        let mut nums: Vec<u32> = entries.keys().copied().filter(|&n| n != 0).collect();
        // Objects inside a rewritten object stream may have changed too.
        let streams: HashSet<u32> = nums.iter().copied().filter(|n| self.graph.nodes.get(n).is_some_and(|x| x.objstm)).collect();
        if !streams.is_empty() {
            for (&num, e) in view.xref() {
                if matches!(e, XrefEntry::InStream { stream, .. } if streams.contains(stream)) && !entries.contains_key(&num) {
                    nums.push(num);
                }
            }
        }
        graph.refresh(&view, &nums, budget, total)?;
        let mut roles_budget = Budget::new(MAX_OBJECTS_PER_REVISION, "objects indexed per revision");
        Snapshot::index(view, graph, &mut roles_budget)
    }

    fn index(view: RevisionView<'a>, graph: Graph, budget: &mut Budget) -> Result<Snapshot<'a>, PdfError> {
        let mut s = Snapshot {
            view,
            graph,
            paths: HashMap::new(),
            reverse: HashMap::new(),
            roles: HashMap::new(),
            covered: HashSet::new(),
            fields: HashMap::new(),
            annot_page: HashMap::new(),
        };
        s.reach();
        for (&p, node) in &s.graph.nodes {
            for (c, label) in &node.edges {
                s.reverse.entry(c.num).or_default().push((c.gen, p, label.clone()));
            }
        }
        let mut w = Walker {
            view: &s.view,
            budget,
            roles: HashMap::new(),
            covered: HashSet::new(),
            fields: HashMap::new(),
            annot_page: HashMap::new(),
        };
        w.walk()?;
        s.roles = w.roles;
        s.covered = w.covered;
        s.fields = w.fields;
        s.annot_page = w.annot_page;
        Ok(s)
    }

    /// Breadth-first from the trailer, so each path is a shortest one.
    fn reach(&mut self) {
        let mut queue = VecDeque::new();
        for key in [&b"Root"[..], b"Info"] {
            if let Some(r) = self.view.trailer().reference(key) {
                let path = format!("/{}", String::from_utf8_lossy(key));
                if self.paths.insert(r, path).is_none() {
                    queue.push_back(r);
                }
            }
        }
        while let Some(r) = queue.pop_front() {
            let Some(node) = self.graph.nodes.get(&r.num).filter(|n| n.gen == r.gen) else { continue };
            let base = self.paths.get(&r).cloned().unwrap_or_default();
            for (c, label) in &node.edges {
                if !self.paths.contains_key(c) {
                    self.paths.insert(*c, clip(format!("{base}{label}")));
                    queue.push_back(*c);
                }
            }
        }
    }

    /// Whether `r` is an object (in use, same generation) in this revision.
    pub fn defines(&self, r: ObjRef) -> bool {
        self.gen_of(r.num) == Some(r.gen)
    }

    /// The generation of object `num` if in use.
    pub fn gen_of(&self, num: u32) -> Option<u16> {
        self.view.xref().get(&num).and_then(gen_of_entry)
    }

    /// A short type label for object `num`.
    pub fn label(&self, num: u32) -> String {
        self.graph.nodes.get(&num).map(|n| n.label.clone()).unwrap_or_else(|| "object".into())
    }

    /// What `r` is, for a reader: its first role, else its path, else its number.
    pub fn describe(&self, r: ObjRef) -> String {
        let field_name = |f: &ObjRef| self.fields.get(f).map(|n| n.name.clone()).unwrap_or_default();
        match self.roles.get(&r).and_then(|v| v.first()) {
            Some(Role::Catalog) => "catalog".into(),
            Some(Role::Info) => "document information".into(),
            Some(Role::Xmp) => "XMP metadata".into(),
            Some(Role::Dss) => "DSS".into(),
            Some(Role::Extensions) => "catalog /Extensions".into(),
            Some(Role::AcroForm) => "form (/AcroForm)".into(),
            Some(Role::FormResources) => "form resources (/DR)".into(),
            Some(Role::FieldsArray) => "form /Fields".into(),
            Some(Role::Field) => format!("field '{}'", field_name(&r)),
            Some(Role::KidsArray { field }) => format!("/Kids of field '{}'", field_name(field)),
            Some(Role::Widget { field }) => format!("widget of field '{}'", field_name(field)),
            Some(Role::Appearance { annot }) => format!("appearance of annotation {annot}"),
            Some(Role::PageNode) => "page tree node".into(),
            Some(Role::Page { index }) => format!("page {}", index + 1),
            Some(Role::AnnotsArray { page }) => format!("page {} /Annots", page + 1),
            Some(Role::Annotation { page }) => format!("annotation on page {}", page + 1),
            Some(Role::StructTreeRoot) => "structure tree root".into(),
            Some(Role::ParentTree) => "structure tree /ParentTree".into(),
            Some(Role::StructElem) => "structure element".into(),
            None => self.paths.get(&r).cloned().unwrap_or_else(|| format!("object {r}")),
        }
    }

    /// Uses of `r` by reachable objects that no role accounts for, as (path, how):
    /// every path from the trailer counts, not only the first one found. When `r`
    /// plays its role through intermediate objects playing the same role (an `/AP`
    /// dictionary, a state dictionary, a `/DSS` array), their uses count too: a
    /// resource dictionary that also names the appearance stream through such a
    /// shared dictionary draws it on the page.
    pub fn uncovered_uses(&self, r: ObjRef) -> Vec<(String, String)> {
        let roles = self.roles.get(&r).cloned().unwrap_or_default();
        let mut out = Vec::new();
        let mut visited = HashSet::new();
        let mut queue = vec![r];
        while let Some(x) = queue.pop() {
            if !visited.insert(x) || visited.len() > MAX_INTERMEDIATES {
                continue;
            }
            for (p, how) in self.uncovered_uses_of(x, &roles, &mut queue) {
                let how = if x == r { how } else { format!("{how} (through {x}, which leads to {r})") };
                out.push((p, how));
            }
        }
        out
    }

    /// The uncovered uses of `x` alone; covered referrers playing one of `roles`
    /// are queued as intermediates.
    fn uncovered_uses_of(&self, x: ObjRef, roles: &[Role], queue: &mut Vec<ObjRef>) -> Vec<(String, String)> {
        let r = x;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (gen, p, label) in self.reverse.get(&r.num).map(Vec::as_slice).unwrap_or_default() {
            if *gen != r.gen || !seen.insert(*p) {
                continue;
            }
            if self.covered.contains(&(r.num, *p)) {
                if let Some(pgen) = self.gen_of(*p) {
                    let pref = ObjRef::new(*p, pgen);
                    if self.roles.get(&pref).is_some_and(|pr| pr.iter().any(|role| roles.contains(role))) {
                        queue.push(pref);
                    }
                }
                continue;
            }
            let last_key = label.rsplit('/').next().unwrap_or_default();
            let last_key = last_key.split('[').next().unwrap_or_default();
            if BACK_LINKS.iter().any(|k| k == &last_key.as_bytes()) {
                continue;
            }
            let Some(pgen) = self.gen_of(*p) else { continue };
            let Some(base) = self.paths.get(&ObjRef::new(*p, pgen)) else { continue };
            let what = match self.roles.get(&ObjRef::new(*p, pgen)).and_then(|v| v.first()) {
                Some(_) => format!("{label} of {}", self.describe(ObjRef::new(*p, pgen))),
                None => format!("{label} of object {p} {pgen} R"),
            };
            out.push((clip(format!("{base}{label}")), what));
        }
        out
    }
}

/// The indirect children named by a structure element's (or the root's) `/K`:
/// one reference or an array of them (marked-content ids and direct dictionaries
/// are not elements of their own).
pub(crate) fn struct_kids(k: Option<&Object>) -> Vec<ObjRef> {
    match k {
        Some(Object::Ref(r)) => vec![*r],
        Some(Object::Array(a)) => a.iter().filter_map(|o| if let Object::Ref(r) = o { Some(*r) } else { None }).collect(),
        _ => Vec::new(),
    }
}

fn clip(s: String) -> String {
    if s.len() <= MAX_PATH {
        return s;
    }
    let mut cut = s.len() - (MAX_PATH - 3);
    while !s.is_char_boundary(cut) {
        cut += 1;
    }
    format!("…{}", &s[cut..])
}

/// A field still to visit: (field, parent's name, inherited `/FT`, depth, the
/// object holding the reference).
type Pending = (ObjRef, String, Option<Vec<u8>>, usize, u32);

/// Walks a revision's structure and assigns roles.
struct Walker<'v, 'b> {
    view: &'v RevisionView<'v>,
    budget: &'b mut Budget,
    roles: HashMap<ObjRef, Vec<Role>>,
    covered: HashSet<(u32, u32)>,
    fields: HashMap<ObjRef, FieldNode>,
    annot_page: HashMap<ObjRef, usize>,
}

impl Walker<'_, '_> {
    fn add(&mut self, r: ObjRef, role: Role, parent: u32) {
        self.covered.insert((r.num, parent));
        let v = self.roles.entry(r).or_default();
        if !v.contains(&role) {
            v.push(role);
        }
    }

    /// Object `r`; a damaged one reads as `null` (what it plays is then unknown,
    /// and a change to it is judged by its path alone).
    fn get(&mut self, r: ObjRef) -> Result<Object, PdfError> {
        self.budget.take(1)?;
        match self.view.get(r) {
            Ok(raw) => Ok(raw.object),
            Err(e) if super::recoverable(&e) => Ok(Object::Null),
            Err(e) => Err(e),
        }
    }

    /// `obj` resolved; `parent` is the object a direct value lives in, and the
    /// referenced object for an indirect one.
    fn resolve(&mut self, obj: &Object, parent: u32) -> Result<(Object, u32), PdfError> {
        match obj {
            Object::Ref(r) => Ok((self.get(*r)?, r.num)),
            o => Ok((o.clone(), parent)),
        }
    }

    fn walk(&mut self) -> Result<(), PdfError> {
        let trailer = self.view.trailer();
        if let Some(info) = trailer.reference(b"Info") {
            self.add(info, Role::Info, TRAILER);
        }
        let Some(root) = trailer.reference(b"Root") else { return Ok(()) };
        self.add(root, Role::Catalog, TRAILER);
        let Object::Dict(cat) = self.get(root)? else { return Ok(()) };
        if let Some(m) = cat.reference(b"Metadata") {
            self.add(m, Role::Xmp, root.num);
        }
        if let Some(dss) = cat.get(b"DSS") {
            if let Object::Ref(r) = dss {
                self.add(*r, Role::Dss, root.num);
            }
            let (d, p) = self.resolve(dss, root.num)?;
            if let Some(d) = d.as_dict() {
                self.walk_dss(d, p)?;
            }
        }
        if let Some(ext) = cat.get(b"Extensions") {
            if let Object::Ref(r) = ext {
                self.add(*r, Role::Extensions, root.num);
            }
            let (e, ep) = self.resolve(ext, root.num)?;
            for entry in e.as_dict().map(|d| d.entries.as_slice()).unwrap_or_default() {
                let items: Vec<Object> = match &entry.value {
                    Object::Array(a) => a.clone(),
                    Object::Ref(r) => {
                        self.add(*r, Role::Extensions, ep);
                        // PDF 2.0: an array of extension dictionaries may itself be indirect.
                        match self.get(*r)? {
                            Object::Array(a) => a,
                            _ => Vec::new(),
                        }
                    }
                    _ => Vec::new(),
                };
                for item in items {
                    if let Object::Ref(ir) = item {
                        self.add(ir, Role::Extensions, ep);
                    }
                }
            }
        }
        if let Some(form) = cat.get(b"AcroForm") {
            if let Object::Ref(r) = form {
                self.add(*r, Role::AcroForm, root.num);
            }
            let (f, p) = self.resolve(form, root.num)?;
            if let Some(f) = f.as_dict() {
                self.walk_form(f, p)?;
            }
        }
        if let Some(pages) = cat.reference(b"Pages") {
            self.walk_pages(pages, root.num)?;
        }
        if let Some(st) = cat.reference(b"StructTreeRoot") {
            self.walk_struct_tree(st, root.num)?;
        }
        Ok(())
    }

    /// The structure tree root, its `/ParentTree` nodes, and the structure
    /// elements of its top two levels (deeper elements keep no role: a change
    /// to them is judged by its path alone).
    fn walk_struct_tree(&mut self, st: ObjRef, parent: u32) -> Result<(), PdfError> {
        self.add(st, Role::StructTreeRoot, parent);
        let Object::Dict(d) = self.get(st)? else { return Ok(()) };
        if let Some(pt) = d.reference(b"ParentTree") {
            let mut stack = vec![(pt, st.num, 0usize)];
            while let Some((node, from, depth)) = stack.pop() {
                if depth > MAX_DEPTH {
                    break;
                }
                self.add(node, Role::ParentTree, from);
                let Object::Dict(nd) = self.get(node)? else { continue };
                for k in nd.get(b"Kids").and_then(Object::as_array).unwrap_or_default() {
                    if let Object::Ref(k) = k {
                        stack.push((*k, node.num, depth + 1));
                    }
                }
            }
        }
        let mut level: Vec<(ObjRef, u32)> = struct_kids(d.get(b"K")).into_iter().map(|k| (k, st.num)).collect();
        for _ in 0..2 {
            let mut next = Vec::new();
            for (e, from) in level {
                let Object::Dict(ed) = self.get(e)? else { continue };
                if ed.get(b"S").is_none() {
                    continue;
                }
                self.add(e, Role::StructElem, from);
                next.extend(struct_kids(ed.get(b"K")).into_iter().map(|k| (k, e.num)));
            }
            level = next;
        }
        Ok(())
    }

    fn walk_dss(&mut self, dss: &Dict, parent: u32) -> Result<(), PdfError> {
        for key in [&b"Certs"[..], b"OCSPs", b"CRLs"] {
            if let Some(v) = dss.get(key) {
                self.walk_dss_array(v, parent)?;
            }
        }
        if let Some(vri) = dss.get(b"VRI") {
            if let Object::Ref(r) = vri {
                self.add(*r, Role::Dss, parent);
            }
            let (vri, vp) = self.resolve(vri, parent)?;
            for e in vri.as_dict().map(|d| d.entries.as_slice()).unwrap_or_default() {
                if let Object::Ref(r) = &e.value {
                    self.add(*r, Role::Dss, vp);
                }
                let (entry, ep) = self.resolve(&e.value, vp)?;
                let Some(entry) = entry.as_dict() else { continue };
                for key in [&b"Cert"[..], b"OCSP", b"CRL"] {
                    if let Some(v) = entry.get(key) {
                        self.walk_dss_array(v, ep)?;
                    }
                }
                if let Some(ts) = entry.reference(b"TS") {
                    self.add(ts, Role::Dss, ep);
                }
            }
        }
        Ok(())
    }

    fn walk_dss_array(&mut self, v: &Object, parent: u32) -> Result<(), PdfError> {
        if let Object::Ref(r) = v {
            self.add(*r, Role::Dss, parent);
        }
        let (arr, ap) = self.resolve(v, parent)?;
        for item in arr.as_array().unwrap_or_default() {
            if let Object::Ref(r) = item {
                self.add(*r, Role::Dss, ap);
            }
        }
        Ok(())
    }

    fn walk_form(&mut self, form: &Dict, parent: u32) -> Result<(), PdfError> {
        if let Some(dr) = form.get(b"DR") {
            if let Object::Ref(r) = dr {
                self.add(*r, Role::FormResources, parent);
            }
            let (dr, dp) = self.resolve(dr, parent)?;
            for e in dr.as_dict().map(|d| d.entries.as_slice()).unwrap_or_default() {
                if let Object::Ref(r) = &e.value {
                    self.add(*r, Role::FormResources, dp);
                }
            }
        }
        let Some(fields) = form.get(b"Fields") else { return Ok(()) };
        if let Object::Ref(r) = fields {
            self.add(*r, Role::FieldsArray, parent);
        }
        let (arr, ap) = self.resolve(fields, parent)?;
        let mut stack: Vec<Pending> = Vec::new();
        for item in arr.as_array().unwrap_or_default().iter().rev() {
            if let Object::Ref(r) = item {
                stack.push((*r, String::new(), None, 0, ap));
            }
        }
        while let Some((r, parent_name, inherited, depth, container)) = stack.pop() {
            if depth > MAX_DEPTH {
                return Err(PdfError::LimitExceeded("form field tree depth"));
            }
            if self.fields.contains_key(&r) {
                self.covered.insert((r.num, container));
                continue;
            }
            let Object::Dict(d) = self.get(r)? else { continue };
            let name = match (d.get(b"T").and_then(Object::as_string).map(decode_text_string), parent_name.is_empty()) {
                (Some(t), true) => t,
                (Some(t), false) => format!("{parent_name}.{t}"),
                (None, _) => parent_name.clone(),
            };
            let ft = d.name(b"FT").map(<[u8]>::to_vec).or(inherited);
            let signed = ft.as_deref() == Some(b"Sig") && !matches!(d.get(b"V"), None | Some(Object::Null));
            let mut node = FieldNode { name: name.clone(), ft: ft.clone(), signed, kids: Vec::new(), widgets: Vec::new() };
            if d.name(b"Subtype") == Some(b"Widget") {
                node.widgets.push(r);
            }
            self.add(r, Role::Field, container);
            if let Some(kids) = d.get(b"Kids") {
                if let Object::Ref(k) = kids {
                    self.add(*k, Role::KidsArray { field: r }, r.num);
                }
                let (kids, kp) = self.resolve(kids, r.num)?;
                let mut children = Vec::new();
                for k in kids.as_array().unwrap_or_default() {
                    let Object::Ref(k) = k else { continue };
                    let Object::Dict(kd) = self.get(*k)? else { continue };
                    if kd.get(b"T").is_none() && kd.name(b"Subtype") == Some(b"Widget") {
                        self.add(*k, Role::Widget { field: r }, kp);
                        node.widgets.push(*k);
                    } else {
                        node.kids.push(*k);
                        children.push((*k, name.clone(), ft.clone(), depth + 1, kp));
                    }
                }
                stack.extend(children.into_iter().rev());
            }
            self.fields.insert(r, node);
        }
        let widgets: Vec<ObjRef> = self.fields.values().flat_map(|f| f.widgets.iter().copied()).collect();
        for w in widgets {
            if let Object::Dict(d) = self.get(w)? {
                self.walk_ap(w, &d)?;
            }
        }
        Ok(())
    }

    fn walk_ap(&mut self, annot: ObjRef, d: &Dict) -> Result<(), PdfError> {
        let Some(ap) = d.get(b"AP") else { return Ok(()) };
        if let Object::Ref(r) = ap {
            self.add(*r, Role::Appearance { annot }, annot.num);
        }
        let (ap, app) = self.resolve(ap, annot.num)?;
        for e in ap.as_dict().map(|d| d.entries.as_slice()).unwrap_or_default() {
            match &e.value {
                Object::Ref(r) => {
                    self.add(*r, Role::Appearance { annot }, app);
                    // A state dictionary (/N << /On … /Off … >>) may itself be indirect.
                    self.budget.take(1)?;
                    let raw = match self.view.get(*r) {
                        Ok(raw) => raw,
                        Err(e) if super::recoverable(&e) => continue,
                        Err(e) => return Err(e),
                    };
                    if let (Object::Dict(states), None) = (&raw.object, raw.stream) {
                        for s in &states.entries {
                            if let Object::Ref(sr) = &s.value {
                                self.add(*sr, Role::Appearance { annot }, r.num);
                            }
                        }
                    }
                }
                Object::Dict(states) => {
                    for s in &states.entries {
                        if let Object::Ref(sr) = &s.value {
                            self.add(*sr, Role::Appearance { annot }, app);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn walk_pages(&mut self, root: ObjRef, parent: u32) -> Result<(), PdfError> {
        let mut index = 0usize;
        let mut seen = HashSet::new();
        let mut stack = vec![(root, parent, 0usize)];
        while let Some((node, parent, depth)) = stack.pop() {
            if depth > MAX_DEPTH || !seen.insert(node) {
                // A loop or an absurd depth: leave the rest unindexed; any change
                // to it is then judged by its path alone (Other).
                self.covered.insert((node.num, parent));
                continue;
            }
            let Object::Dict(d) = self.get(node)? else { continue };
            match d.get(b"Kids") {
                Some(kids) if !d.has_type(b"Page") => {
                    self.add(node, Role::PageNode, parent);
                    if let Object::Ref(k) = kids {
                        self.add(*k, Role::PageNode, node.num);
                    }
                    let (kids, kp) = self.resolve(kids, node.num)?;
                    for k in kids.as_array().unwrap_or_default().iter().rev() {
                        if let Object::Ref(k) = k {
                            stack.push((*k, kp, depth + 1));
                        }
                    }
                }
                _ => {
                    self.add(node, Role::Page { index }, parent);
                    self.walk_annots(node, &d, index)?;
                    index += 1;
                }
            }
        }
        Ok(())
    }

    fn walk_annots(&mut self, page: ObjRef, d: &Dict, index: usize) -> Result<(), PdfError> {
        let Some(annots) = d.get(b"Annots") else { return Ok(()) };
        if let Object::Ref(r) = annots {
            self.add(*r, Role::AnnotsArray { page: index }, page.num);
        }
        let (arr, ap) = self.resolve(annots, page.num)?;
        for a in arr.as_array().unwrap_or_default() {
            let Object::Ref(a) = a else { continue };
            self.annot_page.entry(*a).or_insert(index);
            let known_widget = self.roles.get(a).is_some_and(|v| v.iter().any(|r| matches!(r, Role::Field | Role::Widget { .. })));
            if known_widget {
                self.covered.insert((a.num, ap));
                continue;
            }
            self.add(*a, Role::Annotation { page: index }, ap);
            if let Object::Dict(ad) = self.get(*a)? {
                self.walk_ap(*a, &ad)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Field locks (FieldMDP) of the signature made in a revision.
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum LockAction {
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

/// The form fields a signature locks (ISO 32000-2 §12.7.5.5 Table 233, §12.8.2.4).
#[derive(Clone, Debug, Default)]
pub(crate) struct Locks {
    locks: Vec<LockAction>,
}

impl Locks {
    /// Whether the field with fully qualified `name` is locked.
    pub fn locks(&self, name: &str) -> bool {
        let covers =
            |list: &[String]| list.iter().any(|f| name == f || name.strip_prefix(f.as_str()).is_some_and(|rest| rest.starts_with('.')));
        self.locks.iter().any(|l| match l {
            LockAction::All => true,
            LockAction::Include(list) => covers(list),
            LockAction::Exclude(list) => !covers(list),
        })
    }
}

fn parse_lock(d: &Dict) -> Option<LockAction> {
    let names = || -> Vec<String> {
        d.get(b"Fields")
            .and_then(Object::as_array)
            .map(|a| a.iter().filter_map(Object::as_string).map(decode_text_string).collect())
            .unwrap_or_default()
    };
    match d.name(b"Action")? {
        b"All" => Some(LockAction::All),
        b"Include" => Some(LockAction::Include(names())),
        b"Exclude" => Some(LockAction::Exclude(names())),
        _ => None,
    }
}

/// The locks of the signature(s) made in revision `k`: the FieldMDP transform of
/// each signature dictionary that revision writes, and the `/Lock` of its field.
pub(crate) fn read_locks(snap: &Snapshot<'_>, entries: &BTreeMap<u32, XrefEntry>) -> Result<Locks, PdfError> {
    match read_locks_strict(snap, entries) {
        Err(e) if super::recoverable(&e) => Ok(Locks::default()),
        other => other,
    }
}

fn read_locks_strict(snap: &Snapshot<'_>, entries: &BTreeMap<u32, XrefEntry>) -> Result<Locks, PdfError> {
    let mut locks = Locks::default();
    for (&fref, node) in &snap.fields {
        if !node.signed {
            continue;
        }
        let Object::Dict(fd) = snap.view.get(fref)?.object else { continue };
        let Some(v) = fd.reference(b"V") else { continue };
        if !entries.contains_key(&v.num) {
            continue;
        }
        if let Some(lock) = fd.get(b"Lock") {
            if let Object::Dict(l) = snap.view.resolve(lock)? {
                locks.locks.extend(parse_lock(&l));
            }
        }
        let Object::Dict(sig) = snap.view.get(v)?.object else { continue };
        let refs = match sig.get(b"Reference") {
            Some(r) => snap.view.resolve(r)?,
            None => continue,
        };
        for r in refs.as_array().unwrap_or_default() {
            let Object::Dict(r) = snap.view.resolve(r)? else { continue };
            if r.name(b"TransformMethod") != Some(b"FieldMDP") {
                continue;
            }
            if let Some(p) = r.get(b"TransformParams") {
                if let Object::Dict(p) = snap.view.resolve(p)? {
                    locks.locks.extend(parse_lock(&p));
                }
            }
        }
    }
    Ok(locks)
}
