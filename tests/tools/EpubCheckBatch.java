// Runs EPUBCheck (Debian's /usr/share/java/epubcheck.jar) on many EPUB files
// in one JVM, so the test suite pays the JVM's start-up once, not per book.
//
//   java -cp /usr/share/java/epubcheck.jar tests/tools/EpubCheckBatch.java FILE...
//
// Prints EPUBCheck's own messages for each file, then one line per file:
// "FILE: N fatal, N errors, N warnings". Exits 0 only when every file has
// none of the three.
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class EpubCheckBatch {
  public static void main(String[] args) {
    int failed = 0;
    for (String path : args) {
      DefaultReportImpl report = new DefaultReportImpl(path);
      new EpubCheck(new File(path), report).doValidate();
      int fatal = report.getFatalErrorCount();
      int errors = report.getErrorCount();
      int warnings = report.getWarningCount();
      System.out.println(path + ": " + fatal + " fatal, " + errors + " errors, " + warnings + " warnings");
      if (fatal + errors + warnings > 0) failed++;
    }
    System.out.println(failed == 0 ? "all valid" : failed + " of " + args.length + " books failed");
    System.exit(failed == 0 ? 0 : 1);
  }
}
