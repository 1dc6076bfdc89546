// A second SHACL engine for the tests: Apache Jena's SHACL (Debian's libapache-jena-java), run as a single-file
// Java program. Each line of standard input is one validation, `SHAPES-FILES<TAB>DATA-FILES` (files separated by
// `|`); for each, the SHACL validation report is written as N-Triples, followed by a line `#end`.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import java.util.List;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.graph.Triple;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.sparql.graph.GraphFactory;

public class JenaShacl {
    static Graph read(String files) {
        Graph g = GraphFactory.createDefaultGraph();
        for (String f : files.split("\\|")) RDFDataMgr.read(g, f, Lang.TURTLE);
        return g;
    }

    // Jena (4.5 to 6.0, apache/jena#3817) refuses a shape with more than one sh:message, though SHACL allows one per
    // language: it gets the English ones, the messages both engines' results are compared on.
    static Graph englishMessagesOnly(Graph shapes) {
        Node message = NodeFactory.createURI("http://www.w3.org/ns/shacl#message");
        List<Triple> others = shapes.find(Node.ANY, message, Node.ANY).filterKeep(t -> t.getObject().isLiteral()
            && !t.getObject().getLiteralLanguage().isEmpty() && !t.getObject().getLiteralLanguage().equals("en")).toList();
        others.forEach(shapes::delete);
        return shapes;
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String[] parts = line.split("\t");
            Shapes shapes = Shapes.parse(englishMessagesOnly(read(parts[0])));
            ValidationReport report = ShaclValidator.get().validate(shapes, read(parts[1]));
            RDFDataMgr.write(System.out, report.getGraph(), Lang.NTRIPLES);
            System.out.println("#end");
            System.out.flush();
        }
    }
}
