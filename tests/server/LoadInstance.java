// Loads submission XML into its form with JavaRosa (the engine of ODK Collect), as Collect
// opens a saved instance (FormLoaderTask.importData: restoreDataModel, populate a copy of the
// form's instance, initialize), and writes the instance JavaRosa then holds. Compiled and run
// by tests/server/test_instance.py against pyxform's ODK_Validate.jar:
//
//   javac -cp ODK_Validate.jar -d OUT LoadInstance.java
//   java -cp OUT:ODK_Validate.jar -Duser.timezone=UTC LoadInstance FORM INSTANCE OUT [...]
//
// Non-relevant nodes are written too (XFormSerializingVisitor(false)), so every value can be
// compared. Exit 1 with the reason when a form or an instance does not load.

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.core.reference.ReferenceManager;
import org.javarosa.core.services.PropertyManager;
import org.javarosa.core.services.PrototypeManager;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.model.xform.XFormsModule;
import org.javarosa.xform.parse.XFormParser;
import org.javarosa.xform.util.XFormUtils;
import org.opendatakit.validate.StubPropertyManager;
import org.opendatakit.validate.StubReferenceFactory;

public class LoadInstance {
    public static void main(String[] args) throws Exception {
        System.setOut(System.err); // JavaRosa prints parse warnings
        PrototypeManager.registerPrototypes(new String[] {
            "org.javarosa.core.model.FormDef",
            "org.javarosa.core.model.QuestionDef",
            "org.javarosa.core.model.GroupDef",
            "org.javarosa.core.model.instance.FormInstance",
        });
        new XFormsModule().registerModule();
        PropertyManager.setPropertyManager(new StubPropertyManager());
        ReferenceManager.instance().addReferenceFactory(new StubReferenceFactory());
        for (int i = 0; i + 2 < args.length; i += 3) {
            byte[] form = Files.readAllBytes(Paths.get(args[i]));
            byte[] data = Files.readAllBytes(Paths.get(args[i + 1]));
            FormDef fd = XFormUtils.getFormFromInputStream(new ByteArrayInputStream(form));
            TreeElement saved = XFormParser.restoreDataModel(data, null).getRoot();
            TreeElement template = fd.getMainInstance().getRoot().deepCopy(true);
            if (!saved.getName().equals(template.getName()) || saved.getMult() != 0) {
                System.err.println(args[i + 1] + ": the instance's root is not the form's");
                System.exit(1);
            }
            template.populate(saved, fd);
            fd.getMainInstance().setName(null);
            fd.getMainInstance().setRoot(template);
            fd.initialize(false, new InstanceInitializationFactory());
            byte[] out = new XFormSerializingVisitor(false).serializeInstance(fd.getInstance());
            Files.write(Paths.get(args[i + 2]), out);
        }
    }
}
