// Stand-in for a class of pdfbox-app (absent from ARX mirrors), used only by
// ARX's PDF certificates; compiled only when pdfbox-app is missing.
package org.apache.pdfbox.pdmodel;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

public class PDDocument implements java.io.Closeable {
    public static PDDocument load(File file) throws IOException {
        throw new UnsupportedOperationException("pdfbox is not available (stub)");
    }

    public static PDDocument load(InputStream input) throws IOException {
        throw new UnsupportedOperationException("pdfbox is not available (stub)");
    }

    public void save(OutputStream output) throws IOException {
        throw new UnsupportedOperationException("pdfbox is not available (stub)");
    }

    @Override
    public void close() throws IOException {
    }
}
