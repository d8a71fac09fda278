// Stand-in for a class of pdfbox-app (absent from ARX mirrors), used only by
// ARX's PDF certificates (watermark); compiled only when pdfbox-app is missing.
package org.apache.pdfbox.multipdf;

import java.io.IOException;
import java.util.Map;

import org.apache.pdfbox.pdmodel.PDDocument;

public class Overlay {
    public enum Position { FOREGROUND, BACKGROUND }

    public void setInputPDF(PDDocument document) {
    }

    public void setAllPagesOverlayPDF(PDDocument document) {
    }

    public void setOverlayPosition(Position position) {
    }

    public PDDocument overlay(Map<Integer, String> specificPageOverlayFile) throws IOException {
        throw new UnsupportedOperationException("pdfbox is not available (stub)");
    }
}
