//! What the user is typing or answering: the mode keys are read in, the input line (filter,
//! command, search, a file name), a confirmation waiting for `y`, a picker, and how far help
//! is scrolled.

use super::action::OnConfirm;
use super::picker::Picker;
use crate::kube::ids::ClusterId;
use crate::kube::object_ref::ObjectRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Table,
    Filter,
    Command,
    Help,
    /// A destructive action waits for `y`.
    Confirm,
    /// Typing a search in the describe/YAML pane or a log pane.
    Search,
    /// Choosing from a list (a pod's containers).
    Pick,
    /// Typing the file to save a log pane to.
    Save,
    /// Answering a plugin's input.
    PluginInput,
}

/// What a confirmation asks (the dialog words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    Scale {
        obj: ObjectRef,
        replicas: i32,
    },
    RolloutRestart(ObjectRef),
    /// A delete; `dependents` when they go too (in the background, as kubectl deletes).
    Delete {
        obj: ObjectRef,
        dependents: bool,
    },
    Cancel(ObjectRef),
    Rerun(ObjectRef),
    /// Cordon (`true`) or uncordon a node.
    Cordon {
        node: String,
        on: bool,
    },
    Drain {
        node: String,
        cluster: ClusterId,
        evict: usize,
    },
    /// Set a container's image in a workload.
    SetImage {
        obj: ObjectRef,
        container: String,
        image: String,
    },
    /// Roll a Deployment back to a revision (its images).
    Rollback {
        obj: ObjectRef,
        revision: i64,
        images: Vec<String>,
    },
    /// Create a Job from a CronJob now.
    Trigger(ObjectRef),
    /// Replace a local file or folder with a copy.
    Overwrite(String),
    /// `helm rollback` of a release to a revision.
    HelmRollback {
        release: String,
        revision: i64,
        cluster: ClusterId,
    },
    /// Suspend (`true`) or resume a CronJob.
    Suspend {
        obj: ObjectRef,
        on: bool,
    },
    /// End a session that still runs (its label).
    EndSession(String),
    /// Quit while this many sessions run.
    Quit {
        sessions: usize,
    },
    /// Run a plugin that asks first (`confirm`, or `dangerous`).
    Plugin {
        name: String,
        description: String,
        /// Its command line for the first object.
        command: String,
        /// How many objects it runs for.
        count: usize,
    },
    /// The same change to every marked object.
    Many {
        verb: ManyVerb,
        objects: Vec<ObjectRef>,
        /// Marked rows it does not apply to (left alone).
        left_out: usize,
    },
}

/// A change asked of many objects at once (the marked rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManyVerb {
    /// `dependents` when some are kinds whose dependents go too.
    Delete {
        dependents: bool,
    },
    Cancel,
    Rerun,
    RolloutRestart,
    /// To this many replicas.
    Scale(i32),
    /// Cordon (`true`) or uncordon.
    Cordon(bool),
}

/// A destructive action waiting for confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub question: Question,
    pub on_confirm: OnConfirm,
    /// What a drain will do, pod by pod, shown (and scrolled) before the answer.
    pub preview: Option<super::drain_preview::DrainPreview>,
    /// The first preview line shown.
    pub scroll: usize,
    /// A production-like cluster's delete: the object's name must be typed (then Enter)
    /// instead of `y`.
    pub typed: Option<String>,
}

impl Pending {
    /// Lines the confirmation lists below its question (scrolled with j/k): every pod a
    /// drain evicts, or every object an action on marked rows changes.
    pub fn listed(&self) -> usize {
        match (&self.preview, &self.question) {
            (Some(p), _) => p.lines().len(),
            (None, Question::Many { objects, .. }) => objects.len(),
            _ => 0,
        }
    }

    /// A question with nothing more to show.
    pub fn ask(question: Question, on_confirm: OnConfirm) -> Self {
        Self {
            question,
            on_confirm,
            preview: None,
            scroll: 0,
            typed: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub mode: Mode,
    /// Text being typed into the filter, command line or search.
    pub input: String,
    /// What a filter or search prompt held when it opened: Esc puts it back (typing applies
    /// live, so cancelling has to undo).
    pub input_before: String,
    pub pending: Option<Pending>,
    pub picker: Option<Picker>,
    /// A plugin waiting for the answers to its inputs.
    pub plugin_ask: Option<super::extensions::job::PluginAsk>,
    /// First help line shown (help scrolls with the movement keys on small terminals).
    pub help_scroll: usize,
}

impl Default for Prompt {
    fn default() -> Self {
        Self {
            mode: Mode::Table,
            input: String::new(),
            input_before: String::new(),
            pending: None,
            picker: None,
            plugin_ask: None,
            help_scroll: 0,
        }
    }
}

impl Prompt {
    /// Open a picker.
    pub fn open_picker(&mut self, picker: Picker) {
        self.picker = Some(picker);
        self.mode = Mode::Pick;
    }

    /// Open a filter or search prompt while `current` is applied.
    /// The prompt starts empty (what is typed replaces the filter, it is not appended to it);
    /// Esc puts `current` back.
    pub fn open(&mut self, mode: Mode, current: String) {
        self.input_before = current;
        self.input = String::new();
        self.mode = mode;
    }

    /// Ask `pending`'s question.
    pub fn ask(&mut self, pending: Pending) {
        self.pending = Some(pending);
        self.mode = Mode::Confirm;
    }
}
