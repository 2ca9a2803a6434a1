#include "hub/web/strings.hpp"

#include "hub/settlement/price_list.hpp"

#include <charconv>
#include <string>

namespace encore::hub::web {
namespace {

using Row = std::array<std::string_view, all_languages.size()>;

// Columns: English, German, French, Spanish, Japanese.
constexpr std::array<Row, static_cast<std::size_t>(Text::count_)> table = {{
    // site_title
    {"Your photos", "Ihre Fotos", "Vos photos", "Tus fotos", "あなたの写真"},
    // landing_heading
    {"Find your photos", "Finden Sie Ihre Fotos", "Retrouvez vos photos", "Encuentra tus fotos",
     "写真を探す"},
    // landing_intro
    {"Scan the QR code on your print, or type the code printed next to it.",
     "Scannen Sie den QR-Code auf Ihrem Abzug oder geben Sie den Code daneben ein.",
     "Scannez le code QR de votre tirage ou saisissez le code imprimé à côté.",
     "Escanea el código QR de tu copia o escribe el código impreso junto a él.",
     "プリントのQRコードを読み取るか、その横に印刷されたコードを入力してください。"},
    // code_label
    {"Your code", "Ihr Code", "Votre code", "Tu código", "コード"},
    // code_submit
    {"Show my photos", "Fotos anzeigen", "Voir mes photos", "Ver mis fotos", "写真を見る"},
    // code_not_found
    {"We found no photos for this code. Please check it and try again.",
     "Zu diesem Code gibt es keine Fotos. Bitte prüfen Sie ihn und versuchen Sie es erneut.",
     "Aucune photo pour ce code. Vérifiez-le et réessayez.",
     "No hay fotos con este código. Compruébalo e inténtalo de nuevo.",
     "このコードの写真は見つかりませんでした。確認してもう一度お試しください。"},
    // code_invalid
    {"That is not a code from a print. A code looks like K9Q-X4M.",
     "Das ist kein Code von einem Abzug. Ein Code sieht so aus: K9Q-X4M.",
     "Ce n'est pas un code de tirage. Un code ressemble à K9Q-X4M.",
     "Eso no es un código de una copia. Un código se ve así: K9Q-X4M.",
     "プリントのコードではありません。コードは K9Q-X4M のような形式です。"},
    // code_ambiguous
    {"This code belongs to more than one order. Please scan the QR code on your print.",
     "Dieser Code gehört zu mehreren Bestellungen. Bitte scannen Sie den QR-Code auf Ihrem "
     "Abzug.",
     "Ce code correspond à plusieurs commandes. Scannez le code QR de votre tirage.",
     "Este código pertenece a varios pedidos. Escanea el código QR de tu copia.",
     "このコードは複数の注文に該当します。プリントのQRコードを読み取ってください。"},
    // code_too_many
    {"Too many tries. Please wait a minute and try again.",
     "Zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es erneut.",
     "Trop d'essais. Patientez une minute puis réessayez.",
     "Demasiados intentos. Espera un minuto e inténtalo de nuevo.",
     "試行回数が多すぎます。1分ほど待ってからもう一度お試しください。"},
    // form_expired
    {"This form has expired. Please try again.",
     "Dieses Formular ist abgelaufen. Bitte versuchen Sie es erneut.",
     "Ce formulaire a expiré. Veuillez réessayer.",
     "Este formulario ha caducado. Inténtalo de nuevo.",
     "フォームの有効期限が切れました。もう一度お試しください。"},
    // order_heading
    {"Your photos", "Ihre Fotos", "Vos photos", "Tus fotos", "あなたの写真"},
    // order_code
    {"Code", "Code", "Code", "Código", "コード"},
    // order_event
    {"Event", "Veranstaltung", "Événement", "Evento", "イベント"},
    // photo_alt
    {"Photo {n} of {total}", "Foto {n} von {total}", "Photo {n} sur {total}", "Foto {n} de {total}",
     "{total}枚中{n}枚目の写真"},
    // photo_pending
    {"Still on its way from the booth", "Noch unterwegs von der Fotobox",
     "En cours d'envoi depuis la borne", "Aún en camino desde el fotomatón",
     "フォトブースから転送中です"},
    // no_photos
    {"No photos yet.", "Noch keine Fotos.", "Pas encore de photos.", "Aún no hay fotos.",
     "まだ写真はありません。"},
    // more_prints_heading
    {"Order more prints", "Weitere Abzüge bestellen", "Commander d'autres tirages",
     "Pedir más copias", "プリントを追加注文"},
    // more_prints_soon
    {"Ordering prints online is coming soon.", "Die Online-Bestellung von Abzügen kommt bald.",
     "La commande de tirages en ligne arrive bientôt.", "Pronto podrás pedir copias en línea.",
     "オンラインでのプリント注文は近日公開予定です。"},
    // forget_order
    {"Forget this order on this device", "Bestellung auf diesem Gerät vergessen",
     "Oublier cette commande sur cet appareil", "Olvidar este pedido en este dispositivo",
     "この端末でこの注文を表示しない"},
    // order_closed
    {"This device no longer shows the order.", "Dieses Gerät zeigt die Bestellung nicht mehr an.",
     "Cet appareil n'affiche plus la commande.", "Este dispositivo ya no muestra el pedido.",
     "この端末では注文が表示されなくなりました。"},
    // not_found_heading
    {"Not found", "Nicht gefunden", "Introuvable", "No encontrado", "見つかりません"},
    // not_found_body
    {"This link does not lead to any photos. Check the QR code or type the code from your "
     "print.",
     "Dieser Link führt zu keinen Fotos. Prüfen Sie den QR-Code oder geben Sie den Code von "
     "Ihrem Abzug ein.",
     "Ce lien ne mène à aucune photo. Vérifiez le code QR ou saisissez le code de votre "
     "tirage.",
     "Este enlace no lleva a ninguna foto. Revisa el código QR o escribe el código de tu copia.",
     "このリンクには写真がありません。QRコードを確認するか、プリントのコードを入力してください。"},
    // no_session_heading
    {"No order open", "Keine Bestellung geöffnet", "Aucune commande ouverte",
     "Ningún pedido abierto", "注文が開かれていません"},
    // no_session_body
    {"Open the link from the QR code on your print, or type its code.",
     "Öffnen Sie den Link aus dem QR-Code auf Ihrem Abzug oder geben Sie den Code ein.",
     "Ouvrez le lien du code QR de votre tirage ou saisissez son code.",
     "Abre el enlace del código QR de tu copia o escribe su código.",
     "プリントのQRコードのリンクを開くか、コードを入力してください。"},
    // back_to_start
    {"Enter a code", "Code eingeben", "Saisir un code", "Introducir un código", "コードを入力"},
    // method_not_allowed
    {"This page cannot be used that way.", "Diese Seite kann so nicht verwendet werden.",
     "Cette page ne peut pas être utilisée ainsi.", "Esta página no se puede usar así.",
     "このページはその方法では利用できません。"},
    // error_heading
    {"Sorry", "Entschuldigung", "Désolé", "Lo sentimos", "申し訳ありません"},
    // server_error
    {"Something went wrong on our side. Please try again in a moment.",
     "Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal.",
     "Une erreur s'est produite de notre côté. Réessayez dans un instant.",
     "Algo salió mal por nuestra parte. Inténtalo de nuevo en un momento.",
     "エラーが発生しました。しばらくしてからもう一度お試しください。"},
    // language_switch
    {"Language", "Sprache", "Langue", "Idioma", "言語"},
    // more_prints_intro
    {"Choose a photo, a product and how many copies.",
     "Wählen Sie ein Foto, ein Produkt und die Anzahl.",
     "Choisissez une photo, un produit et le nombre d'exemplaires.",
     "Elige una foto, un producto y cuántas copias.", "写真、商品、枚数を選んでください。"},
    // product_print
    {"{size} print", "Abzug {size}", "Tirage {size}", "Copia {size}", "{size}プリント"},
    // product_strip
    {"Photo strip {size}", "Fotostreifen {size}", "Bande photo {size}", "Tira de fotos {size}",
     "フォトストリップ {size}"},
    // photo_field
    {"Photo", "Foto", "Photo", "Foto", "写真"},
    // product_field
    {"Product", "Produkt", "Produit", "Producto", "商品"},
    // quantity_field
    {"Copies", "Anzahl", "Exemplaires", "Copias", "枚数"},
    // add_to_cart
    {"Add to cart", "In den Warenkorb", "Ajouter au panier", "Añadir al carrito", "カートに入れる"},
    // cart_heading
    {"Your cart", "Ihr Warenkorb", "Votre panier", "Tu carrito", "カート"},
    // cart_empty
    {"Your cart is empty.", "Ihr Warenkorb ist leer.", "Votre panier est vide.",
     "Tu carrito está vacío.", "カートは空です。"},
    // cart_remove
    {"Remove", "Entfernen", "Retirer", "Quitar", "削除"},
    // cart_total
    {"Total", "Summe", "Total", "Total", "合計"},
    // delivery_heading
    {"Delivery", "Lieferung", "Livraison", "Entrega", "受け取り方法"},
    // delivery_ship
    {"Ship to my address", "An meine Adresse senden", "Envoyer à mon adresse",
     "Enviar a mi dirección", "住所に配送"},
    // delivery_pickup
    {"Pick up at the venue", "Am Veranstaltungsort abholen", "Retrait sur le lieu de l'événement",
     "Recoger en el lugar del evento", "会場で受け取る"},
    // address_name
    {"Full name", "Vollständiger Name", "Nom complet", "Nombre completo", "氏名"},
    // address_street
    {"Street and number", "Straße und Hausnummer", "Rue et numéro", "Calle y número",
     "番地・建物名"},
    // address_postal_code
    {"Postal code", "Postleitzahl", "Code postal", "Código postal", "郵便番号"},
    // address_city
    {"City", "Ort", "Ville", "Ciudad", "市区町村"},
    // address_country
    {"Country (two letters, e.g. DE)", "Land (zwei Buchstaben, z. B. DE)",
     "Pays (deux lettres, p. ex. FR)", "País (dos letras, p. ej. ES)", "国（2文字、例: JP）"},
    // checkout_button
    {"Check out and pay", "Zur Kasse und bezahlen", "Valider et payer", "Finalizar y pagar",
     "購入手続きへ進む"},
    // cart_line_invalid
    {"Choose one of your photos, a product and 1 to 99 copies.",
     "Wählen Sie eines Ihrer Fotos, ein Produkt und 1 bis 99 Abzüge.",
     "Choisissez une de vos photos, un produit et 1 à 99 exemplaires.",
     "Elige una de tus fotos, un producto y de 1 a 99 copias.",
     "写真と商品を選び、枚数は1〜99で指定してください。"},
    // cart_needed
    {"Add at least one print to your cart first.",
     "Legen Sie zuerst mindestens einen Abzug in den Warenkorb.",
     "Ajoutez d'abord au moins un tirage à votre panier.",
     "Primero añade al menos una copia a tu carrito.", "先にプリントをカートに入れてください。"},
    // address_invalid
    {"Please check the highlighted fields of your address.",
     "Bitte prüfen Sie die markierten Felder Ihrer Adresse.",
     "Vérifiez les champs signalés de votre adresse.",
     "Revisa los campos marcados de tu dirección.", "住所の強調された項目を確認してください。"},
    // delivery_invalid
    {"Please choose how you want to get your prints.",
     "Bitte wählen Sie, wie Sie Ihre Abzüge erhalten möchten.",
     "Choisissez comment recevoir vos tirages.", "Elige cómo quieres recibir tus copias.",
     "受け取り方法を選んでください。"},
    // reorders_heading
    {"Your print orders", "Ihre Bestellungen", "Vos commandes de tirages", "Tus pedidos de copias",
     "プリントのご注文"},
    // reorder_heading
    {"Print order", "Bestellung", "Commande de tirages", "Pedido de copias", "プリントのご注文"},
    // reorder_status
    {"Status", "Status", "État", "Estado", "状況"},
    // state_unpaid
    {"Not paid yet", "Noch nicht bezahlt", "Pas encore payée", "Aún no pagado", "未払い"},
    // state_paid
    {"Paid", "Bezahlt", "Payée", "Pagado", "支払い済み"},
    // state_printing
    {"Printing", "Wird gedruckt", "En impression", "Imprimiendo", "印刷中"},
    // state_packed
    {"Packed", "Verpackt", "Emballée", "Empaquetado", "梱包済み"},
    // state_shipped
    {"Shipped", "Versandt", "Expédiée", "Enviado", "発送済み"},
    // unpaid_note
    {"This order is not paid yet. You can pay for it now.",
     "Diese Bestellung ist noch nicht bezahlt. Sie können sie jetzt bezahlen.",
     "Cette commande n'est pas encore payée. Vous pouvez la payer maintenant.",
     "Este pedido aún no está pagado. Puedes pagarlo ahora.",
     "このご注文はまだ支払われていません。今すぐお支払いいただけます。"},
    // pay_now
    {"Pay now", "Jetzt bezahlen", "Payer maintenant", "Pagar ahora", "今すぐ支払う"},
    // back_to_order
    {"Back to your photos", "Zurück zu Ihren Fotos", "Retour à vos photos", "Volver a tus fotos",
     "写真に戻る"},
    // payment_unavailable
    {"The payment service cannot be reached right now. Please try again in a moment.",
     "Der Zahlungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.",
     "Le service de paiement est injoignable pour le moment. Réessayez dans un instant.",
     "El servicio de pago no está disponible ahora. Inténtalo de nuevo en un momento.",
     "決済サービスに接続できません。しばらくしてからもう一度お試しください。"},
    // shipment_heading
    {"Shipment", "Sendung", "Envoi", "Envío", "配送"},
    // payment_heading
    {"Payment", "Bezahlung", "Paiement", "Pago", "お支払い"},
    // pay_online
    {"Pay online now", "Jetzt online bezahlen", "Payer en ligne maintenant", "Pagar en línea ahora",
     "今すぐオンラインで支払う"},
    // pay_at_counter
    {"Pay at the counter (cash or voucher)", "An der Kasse bezahlen (bar oder mit Gutschein)",
     "Payer au comptoir (espèces ou bon)", "Pagar en el mostrador (efectivo o vale)",
     "カウンターで支払う（現金またはクーポン）"},
    // counter_note
    {"Pay at the counter: show this reference and the amount. Your prints are made once the "
     "payment is confirmed.",
     "Bezahlen Sie an der Kasse: Zeigen Sie diese Referenz und den Betrag. Ihre Abzüge werden "
     "gedruckt, sobald die Zahlung bestätigt ist.",
     "Payez au comptoir : montrez cette référence et le montant. Vos tirages seront faits dès "
     "que le paiement sera confirmé.",
     "Paga en el mostrador: muestra esta referencia y el importe. Tus copias se imprimen en "
     "cuanto se confirme el pago.",
     "カウンターでお支払いください。この番号と金額をお見せください。お支払いの確認後にプリントしま"
     "す。"},
    // counter_reference
    {"Reference", "Referenz", "Référence", "Referencia", "番号"},
    // amount_due
    {"Amount to pay", "Zu zahlen", "Montant à payer", "Importe a pagar", "お支払い金額"},
    // state_cancelled
    {"Cancelled", "Storniert", "Annulée", "Cancelado", "キャンセル済み"},
    // cancelled_refunded
    {"Cancelled — refunded {amount}", "Storniert — {amount} erstattet",
     "Annulée — {amount} remboursés", "Cancelado — {amount} reembolsados",
     "キャンセル済み — {amount} を返金しました"},
    // cancelled_refund_pending
    {"Cancelled — a refund of {amount} is on its way",
     "Storniert — die Erstattung von {amount} ist unterwegs",
     "Annulée — le remboursement de {amount} est en cours",
     "Cancelado — el reembolso de {amount} está en camino",
     "キャンセル済み — {amount} の返金を手続き中です"},
    // state_ready_for_pickup
    {"Ready for pickup at the venue", "Abholbereit am Veranstaltungsort",
     "Prête à retirer sur place", "Listo para recoger en el lugar", "会場で受け取り可能"},
    // state_picked_up
    {"Picked up", "Abgeholt", "Retirée", "Recogido", "受け取り済み"},
    // cart_line_withdrawn
    {"Some prints in your cart are no longer offered for this event and were taken out. "
     "Please check your cart and its total before you pay.",
     "Einige Abzüge in Ihrem Warenkorb werden für diese Veranstaltung nicht mehr angeboten "
     "und wurden entfernt. Bitte prüfen Sie Warenkorb und Summe, bevor Sie bezahlen.",
     "Certains tirages de votre panier ne sont plus proposés pour cet événement et ont été "
     "retirés. Vérifiez votre panier et son total avant de payer.",
     "Algunas copias de tu carrito ya no se ofrecen para este evento y se han quitado. "
     "Revisa tu carrito y el total antes de pagar.",
     "カート内の一部のプリントはこのイベントでは提供されなくなったため、削除されました。"
     "お支払いの前にカートと合計金額をご確認ください。"},
    // shipping_cost
    {"Shipping", "Versand", "Frais de port", "Gastos de envío", "送料"},
    // total_with_shipping
    {"Total with shipping", "Summe mit Versand", "Total avec frais de port", "Total con envío",
     "送料込みの合計"},
    // total_with_pickup
    {"Total if you pick up at the venue (no shipping cost)",
     "Summe bei Abholung am Veranstaltungsort (ohne Versandkosten)",
     "Total si vous retirez sur le lieu de l'événement (sans frais de port)",
     "Total si recoges en el lugar del evento (sin gastos de envío)",
     "会場で受け取る場合の合計（送料なし）"},
}};

constexpr std::array<std::string_view, all_languages.size()> tags = {"en", "de", "fr", "es", "ja"};
constexpr std::array<std::string_view, all_languages.size()> names = {
    "English", "Deutsch", "Français", "Español", "日本語"};

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// A q-value in thousandths ("0.8" → 800); a malformed one counts as 0.
int parse_quality(std::string_view text) {
    if (text == "1" || text.starts_with("1.")) {
        return 1000;
    }
    if (!text.starts_with("0")) {
        return 0;
    }
    text.remove_prefix(1);
    if (text.empty()) {
        return 0;
    }
    if (text.front() != '.') {
        return 0;
    }
    text.remove_prefix(1);
    std::string digits(text.substr(0, 3));
    digits.resize(3, '0');
    int thousandths = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), thousandths);
    return error == std::errc() && end == digits.data() + digits.size() ? thousandths : 0;
}

} // namespace

std::string_view text(Language language, Text key) {
    return table[static_cast<std::size_t>(key)][static_cast<std::size_t>(language)];
}

std::string_view language_tag(Language language) {
    return tags[static_cast<std::size_t>(language)];
}

std::string_view language_name(Language language) {
    return names[static_cast<std::size_t>(language)];
}

std::optional<Language> parse_language(std::string_view tag) {
    const auto primary = tag.substr(0, tag.find_first_of("-_"));
    if (primary.size() != 2) {
        return std::nullopt;
    }
    const char lower[2] = {static_cast<char>(primary[0] | 0x20),
                           static_cast<char>(primary[1] | 0x20)};
    for (const auto language : all_languages) {
        if (language_tag(language) == std::string_view(lower, 2)) {
            return language;
        }
    }
    return std::nullopt;
}

Language choose_language(std::optional<std::string_view> chosen, std::string_view accept_language) {
    if (chosen) {
        if (const auto language = parse_language(*chosen)) {
            return *language;
        }
    }
    std::optional<Language> best;
    int best_quality = 0;
    while (!accept_language.empty()) {
        const auto comma = accept_language.find(',');
        const auto entry = accept_language.substr(0, comma);
        const auto semicolon = entry.find(';');
        const auto tag = trim(entry.substr(0, semicolon));
        int quality = 1000;
        if (semicolon != std::string_view::npos) {
            const auto parameter = trim(entry.substr(semicolon + 1));
            quality = parameter.starts_with("q=") ? parse_quality(parameter.substr(2)) : 0;
        }
        if (const auto language = parse_language(tag); language && quality > best_quality) {
            best = language;
            best_quality = quality;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        accept_language.remove_prefix(comma + 1);
    }
    return best.value_or(Language::en);
}

std::string format_money(Language language, std::int64_t minor_units, std::string_view currency) {
    const bool negative = minor_units < 0;
    const auto magnitude = negative ? -minor_units : minor_units;
    const bool comma =
        language == Language::de || language == Language::fr || language == Language::es;
    std::string number;
    const int decimals = settlement::currency_decimals(currency);
    if (decimals == 0) {
        number = std::to_string(magnitude);
    } else {
        auto fraction = std::to_string(magnitude % 100);
        if (fraction.size() < 2) {
            fraction.insert(0, "0");
        }
        number = std::to_string(magnitude / 100) + (comma ? "," : ".") + fraction;
    }
    std::string_view sign;
    if (currency == "EUR") {
        sign = "€";
    } else if (currency == "USD") {
        sign = "$";
    } else if (currency == "GBP") {
        sign = "£";
    } else if (currency == "JPY") {
        sign = language == Language::ja ? "￥" : "¥";
    }
    std::string text = negative ? "-" : "";
    if (sign.empty()) {
        text += number + "\u00a0" + std::string(currency);
    } else if (comma) {
        // A no-break space keeps the sign on the amount's line.
        text += number + "\u00a0" + std::string(sign);
    } else {
        text += std::string(sign) + number;
    }
    return text;
}

} // namespace encore::hub::web
