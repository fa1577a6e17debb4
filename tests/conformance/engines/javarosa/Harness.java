// Runs conformance jobs through JavaRosa (the engine of ODK Collect and KoboCollect), from
// pyxform's ODK_Validate.jar. Compiled and run by tests/conformance/engines.py:
//
//   javac -cp ODK_Validate.jar -d OUT Harness.java
//   java -cp OUT:ODK_Validate.jar -Duser.timezone=UTC Harness JOBS.json RESULTS.jsonl
//
// JOBS.json: {"jobs": [{"id", "xml", "answers": [[key, value]], "repeats": {key: n},
// "loops": [names of begin-loop groups]}]}.
// RESULTS.jsonl: one JSON object per job (tests/conformance/format: load_error, eval_error,
// fields, answers, required_missing, constraint_failed). Keys use FieldScreen's syntax:
// `name`, `rep[2].name`, `outer[1].inner[2].name`; groups are left out.
//
// The answers are given as an interviewer in Collect would: a question that is not relevant
// cannot be answered ("error"), a value the widget could not produce is "error", a value the
// constraint refuses is "constraint" (JavaRosa does not store it). Count-less repeats get the
// number of entries in "repeats" once they are relevant; jr:count repeats are created as
// JavaRosa does when it steps through the form.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.SelectChoice;
import org.javarosa.core.model.data.AnswerDataFactory;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.SelectMultiData;
import org.javarosa.core.model.data.SelectOneData;
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.data.helper.Selection;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.core.model.instance.TreeReference;
import org.javarosa.core.reference.ReferenceManager;
import org.javarosa.core.services.PropertyManager;
import org.javarosa.core.services.PrototypeManager;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.model.xform.XFormsModule;
import org.javarosa.xform.parse.XFormParser;
import org.javarosa.xform.util.XFormUtils;
import org.opendatakit.validate.StubPropertyManager;
import org.opendatakit.validate.StubReferenceFactory;
import org.opendatakit.validate.StubSetGeopointActionHandler;

public class Harness {
    // Set up as ODK Validate's FormValidator.validate does (it skips JavaRosaCoreModule,
    // which needs storage), with its stubs for device properties, jr:// references and
    // setgeopoint.
    static final String[] PROTOTYPES = {
        "org.javarosa.core.services.locale.ResourceFileDataSource",
        "org.javarosa.core.services.locale.TableLocaleSource",
        "org.javarosa.core.model.FormDef",
        "org.javarosa.core.model.SubmissionProfile",
        "org.javarosa.core.model.QuestionDef",
        "org.javarosa.core.model.GroupDef",
        "org.javarosa.core.model.instance.FormInstance",
        "org.javarosa.core.model.data.BooleanData",
        "org.javarosa.core.model.data.DateData",
        "org.javarosa.core.model.data.DateTimeData",
        "org.javarosa.core.model.data.DecimalData",
        "org.javarosa.core.model.data.GeoPointData",
        "org.javarosa.core.model.data.GeoShapeData",
        "org.javarosa.core.model.data.GeoTraceData",
        "org.javarosa.core.model.data.IntegerData",
        "org.javarosa.core.model.data.LongData",
        "org.javarosa.core.model.data.MultiPointerAnswerData",
        "org.javarosa.core.model.data.PointerAnswerData",
        "org.javarosa.core.model.data.SelectMultiData",
        "org.javarosa.core.model.data.SelectOneData",
        "org.javarosa.core.model.data.StringData",
        "org.javarosa.core.model.data.TimeData",
        "org.javarosa.core.model.data.UncastData",
        "org.javarosa.core.model.data.helper.BasicDataPointer",
        "org.javarosa.core.model.actions.SetValueAction",
    };
    static final long JOB_SECONDS = 20;

    public static void main(String[] args) throws Exception {
        System.setOut(System.err); // JavaRosa prints parse warnings; keep them off the results
        PrototypeManager.registerPrototypes(PROTOTYPES);
        new XFormsModule().registerModule();
        PropertyManager.setPropertyManager(new StubPropertyManager());
        ReferenceManager.instance().addReferenceFactory(new StubReferenceFactory());
        PrototypeManager.registerPrototype("org.opendatakit.validate.StubSetGeopointAction");
        XFormParser.registerActionHandler("setgeopoint", new StubSetGeopointActionHandler());
        ObjectMapper json = new ObjectMapper();
        JsonNode jobs = json.readTree(new File(args[0])).get("jobs");
        Writer out = new OutputStreamWriter(new FileOutputStream(args[1]), StandardCharsets.UTF_8);
        ExecutorService pool = Executors.newSingleThreadExecutor(Harness::daemon);
        for (JsonNode job : jobs) {
            Map<String, Object> result;
            Future<Map<String, Object>> future = pool.submit(() -> new Harness(job).run());
            try {
                result = future.get(JOB_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // A catastrophic regex cannot be interrupted: abandon the thread, go on.
                future.cancel(true);
                pool.shutdownNow();
                pool = Executors.newSingleThreadExecutor(Harness::daemon);
                result = new LinkedHashMap<>();
                result.put("eval_error", "timeout: no result after " + JOB_SECONDS + " s");
            } catch (Exception e) {
                result = new LinkedHashMap<>();
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                result.put("load_error", "harness: " + describe(cause));
            }
            result.put("id", job.get("id").asText());
            out.write(json.writeValueAsString(result));
            out.write("\n");
            out.flush();
        }
        out.close();
        System.exit(0); // abandoned threads must not keep the JVM alive
    }

    static Thread daemon(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.trim());
    }

    // -- one job -----------------------------------------------------------------------------
    final JsonNode job;
    FormDef fd;
    FormEntryModel model;
    FormEntryController fec;
    final Set<String> repeatNames = new HashSet<>();
    final Set<String> loops = new HashSet<>();
    final Map<String, Integer> wanted = new LinkedHashMap<>();
    String evalError;

    Harness(JsonNode job) {
        this.job = job;
        for (JsonNode loop : job.path("loops")) {
            loops.add(loop.asText());
        }
        Iterator<Map.Entry<String, JsonNode>> it = job.path("repeats").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            wanted.put(e.getKey(), e.getValue().asInt());
        }
    }

    Map<String, Object> run() {
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            byte[] xml = job.get("xml").asText().getBytes(StandardCharsets.UTF_8);
            fd = XFormUtils.getFormFromInputStream(new ByteArrayInputStream(xml));
            if (fd == null) {
                result.put("load_error", "the parser returned no form");
                return result;
            }
        } catch (Throwable e) {
            result.put("load_error", describe(e));
            return result;
        }
        List<List<String>> outcomes = new ArrayList<>();
        try {
            fd.initialize(true, new InstanceInitializationFactory());
            model = new FormEntryModel(fd);
            fec = new FormEntryController(model);
            collectRepeatNames(fd.getMainInstance().getRoot());
            ensureRepeats();
        } catch (Throwable e) {
            result.put("eval_error", describe(e));
            return result;
        }
        for (JsonNode pair : job.path("answers")) {
            String key = pair.get(0).asText();
            String value = pair.get(1).isNull() ? "" : pair.get(1).asText();
            String outcome;
            try {
                outcome = answer(key, value);
                ensureRepeats();
            } catch (Throwable e) {
                evalError = evalError == null ? describe(e) : evalError;
                outcome = "error";
            }
            List<String> row = new ArrayList<>();
            row.add(key);
            row.add(outcome);
            outcomes.add(row);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        try {
            collectFields(fd.getMainInstance().getRoot(), true, fields, missing, failed);
        } catch (Throwable e) {
            evalError = evalError == null ? describe(e) : evalError;
        }
        if (evalError != null) {
            result.put("eval_error", evalError);
        }
        result.put("fields", fields);
        result.put("answers", outcomes);
        result.put("required_missing", missing);
        result.put("constraint_failed", failed);
        return result;
    }

    void collectRepeatNames(TreeElement element) {
        for (int i = 0; i < element.getNumChildren(); i++) {
            TreeElement child = element.getChildAt(i);
            if (child.isRepeatable() || child.getMult() == TreeReference.INDEX_TEMPLATE) {
                repeatNames.add(child.getName());
            }
            collectRepeatNames(child);
        }
    }

    /**
     * `name`, `rep[2].name`: repeats with their 1-based position, groups and root left out,
     * except from a `begin loop` group down (`loop.choice.name`), as FieldScreen names them.
     */
    String key(TreeReference ref) {
        StringBuilder out = new StringBuilder();
        boolean inLoop = false;
        for (int i = 1; i < ref.size(); i++) {
            String name = ref.getName(i);
            boolean last = i == ref.size() - 1;
            inLoop = inLoop || (!last && loops.contains(name));
            if (!last && !repeatNames.contains(name) && !inLoop) {
                continue;
            }
            if (out.length() > 0) {
                out.append('.');
            }
            out.append(name);
            if (!last && repeatNames.contains(name)) {
                out.append('[').append(Math.max(ref.getMultiplicity(i), 0) + 1).append(']');
            }
        }
        return out.toString();
    }

    // -- repeats -----------------------------------------------------------------------------
    void ensureRepeats() throws Exception {
        for (int pass = 0; pass < 10_000; pass++) {
            if (!repeatPass()) {
                return;
            }
        }
        throw new IllegalStateException("repeats did not settle");
    }

    /** One walk through the form; true when it changed a repeat (then walk again). */
    boolean repeatPass() throws Exception {
        FormIndex idx = FormIndex.createBeginningOfFormIndex();
        while (true) {
            idx = model.incrementIndex(idx);
            int event = model.getEvent(idx);
            if (event == FormEntryController.EVENT_END_OF_FORM) {
                return false;
            }
            if (event != FormEntryController.EVENT_PROMPT_NEW_REPEAT
                    && event != FormEntryController.EVENT_REPEAT) {
                continue;
            }
            TreeReference ref = idx.getReference();
            String repeat = key(ref); // `hh`, `hh[1].person`: the last segment is the repeat
            int position = Math.max(ref.getMultiplicity(ref.size() - 1), 0) + 1;
            if (event == FormEntryController.EVENT_REPEAT) {
                Integer want = wanted.get(repeat);
                if (want != null && position > want && !hasCount(idx)) {
                    fd.deleteRepeat(idx);
                    return true;
                }
                continue;
            }
            if (!parentRelevant(ref)) {
                continue;
            }
            if (hasCount(idx)) {
                // As JavaRosa does when Collect steps onto a jr:count repeat (it only looks
                // when the index changes: step off first).
                model.setQuestionIndex(FormIndex.createBeginningOfFormIndex());
                model.setQuestionIndex(idx);
                if (model.getEvent(idx) != FormEntryController.EVENT_PROMPT_NEW_REPEAT) {
                    return true;
                }
                continue;
            }
            Integer want = wanted.get(repeat);
            if (want != null && position <= want && fd.isRepeatRelevant(ref)) {
                fd.createNewRepeat(idx);
                return true;
            }
        }
    }

    boolean hasCount(FormIndex idx) {
        Object element = fd.getChild(idx);
        return element instanceof org.javarosa.core.model.GroupDef
                && ((org.javarosa.core.model.GroupDef) element).getCountReference() != null;
    }

    /** Is the node that holds this repeat relevant (a new entry cannot be added otherwise)? */
    boolean parentRelevant(TreeReference ref) {
        TreeReference parent = ref.getParentRef();
        if (parent == null) {
            return true;
        }
        TreeElement element = fd.getMainInstance().resolveReference(parent);
        return element == null || element.isRelevant();
    }

    // -- answers -----------------------------------------------------------------------------
    String answer(String key, String value) throws Exception {
        FormIndex idx = find(key);
        if (idx == null) {
            return "error"; // no such question (or its repeat entry does not exist)
        }
        TreeElement element = fd.getMainInstance().resolveReference(idx.getReference());
        if (element == null || !element.isRelevant() || model.isIndexReadonly(idx)) {
            return "error";
        }
        if (value.isEmpty()) {
            // Clearing the answer, as an interviewer can; a required one cannot be left so.
            int cleared = fec.answerQuestion(idx, null, true);
            return cleared == FormEntryController.ANSWER_OK ? "ok" : "error";
        }
        FormEntryPrompt prompt = model.getQuestionPrompt(idx);
        IAnswerData data;
        try {
            data = answerData(prompt, value);
        } catch (IllegalArgumentException e) {
            return "error";
        }
        if (data == null) {
            return "error";
        }
        int status = fec.answerQuestion(idx, data, true);
        if (status == FormEntryController.ANSWER_CONSTRAINT_VIOLATED) {
            return "constraint";
        }
        return status == FormEntryController.ANSWER_OK ? "ok" : "error";
    }

    FormIndex find(String key) {
        FormIndex idx = FormIndex.createBeginningOfFormIndex();
        while (true) {
            idx = model.incrementIndex(idx);
            int event = model.getEvent(idx);
            if (event == FormEntryController.EVENT_END_OF_FORM) {
                return null;
            }
            if (event == FormEntryController.EVENT_QUESTION && key.equals(key(idx.getReference()))) {
                return idx;
            }
        }
    }

    /** The value as Collect's widget would give it; a choice must be among those offered. */
    IAnswerData answerData(FormEntryPrompt prompt, String value) {
        List<SelectChoice> choices = prompt.getSelectChoices();
        int control = prompt.getControlType();
        if (control == org.javarosa.core.model.Constants.CONTROL_SELECT_ONE) {
            SelectChoice choice = choice(choices, value);
            return choice == null ? null : new SelectOneData(new Selection(choice));
        }
        if (control == org.javarosa.core.model.Constants.CONTROL_SELECT_MULTI) {
            Set<String> parts = new HashSet<>();
            for (String part : value.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    if (choice(choices, part) == null) {
                        return null;
                    }
                    parts.add(part);
                }
            }
            // Collect's widget lists the ticked choices in choice order.
            List<Selection> chosen = new ArrayList<>();
            for (SelectChoice c : choices) {
                if (parts.contains(c.getValue())) {
                    chosen.add(new Selection(c));
                }
            }
            return new SelectMultiData(chosen);
        }
        IAnswerData template = AnswerDataFactory.templateByDataType(prompt.getDataType());
        return template.cast(new UncastData(value));
    }

    static SelectChoice choice(List<SelectChoice> choices, String value) {
        if (choices == null) {
            return null;
        }
        for (SelectChoice c : choices) {
            if (c.getValue().equals(value)) {
                return c;
            }
        }
        return null;
    }

    // -- the instance ------------------------------------------------------------------------
    void collectFields(TreeElement element, boolean top, Map<String, Object> fields,
                       List<String> missing, List<String> failed) {
        for (int i = 0; i < element.getNumChildren(); i++) {
            TreeElement child = element.getChildAt(i);
            if (child.getMult() == TreeReference.INDEX_TEMPLATE) {
                continue;
            }
            if (top && child.getName().equals("meta")) {
                continue; // instanceID and friends: FieldScreen keeps its own
            }
            if (child.getNumChildren() > 0 || repeatNames.contains(child.getName())) {
                collectFields(child, false, fields, missing, failed);
                continue;
            }
            String key = key(child.getRef());
            IAnswerData data = child.getValue();
            String value = data == null ? "" : data.uncast().getString();
            boolean relevant = child.isRelevant();
            Map<String, Object> field = new LinkedHashMap<>();
            field.put("relevant", relevant);
            field.put("value", value == null ? "" : value);
            if (child.getPreloadHandler() != null) {
                field.put("preload", true); // start, end, deviceid...: the device's values
            }
            fields.put(key, field);
            boolean empty = value == null || value.isEmpty();
            if (relevant && empty && child.isRequired()) {
                missing.add(key);
            }
            if (relevant && !empty && child.getConstraint() != null
                    && !fd.evaluateConstraint(child.getRef(), data)) {
                failed.add(key);
            }
        }
    }
}
